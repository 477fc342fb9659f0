"""The live server's requests are finished before a test's tables are emptied (tests/conftest.py)."""

import socket
import time

from tests.conftest import live_server_requests


def test_a_request_still_being_served_is_waited_for(live_server):
    requests = live_server_requests(live_server)
    body = b"username=someone&password=wrong"
    with socket.create_connection((live_server.thread.host, live_server.thread.port)) as client:
        client.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body[:10])
        )
        # The application is reading the rest of the form: the request is open (once the server's
        # thread has taken it: on a busy machine that may take a moment).
        deadline = time.monotonic() + 10
        while requests.open == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not requests.wait_until_idle(0.5)
        client.sendall(body[10:])
        assert client.recv(12).startswith(b"HTTP/1.1 ")
        assert requests.wait_until_idle(10)


def test_an_idle_connection_kept_open_is_not_waited_for(live_server):
    requests = live_server_requests(live_server)
    with socket.create_connection((live_server.thread.host, live_server.thread.port)) as client:
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert client.recv(12).startswith(b"HTTP/1.1 ")
        # The server's thread waits on this connection for a next request; none is being served.
        assert requests.wait_until_idle(5)
