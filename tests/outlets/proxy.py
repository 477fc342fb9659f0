"""A loopback TCP proxy in front of a real peer that can withhold replies: the peer gets the whole
request and does the work, the client never hears back (a reply that timed out, a dropped line).

    proxy = StallingProxy(("127.0.0.1", 8080)).start()
    proxy.stall(b"POST /?rest_route=%2Fwp%2Fv2%2Fposts ")  # the next request starting so
    proxy.stall(b"POST /?rest_route=%2Fwp%2Fv2%2Fposts ", drop=True)  # reset after the peer answered
    ...
    proxy.wait_stalled(1)  # the peer has answered the stalled request (the work is done)
"""

import contextlib
import socket
import struct
import threading
import time


class StallingProxy:
    def __init__(self, target):
        self.target = target
        self.delay = 0.0  # seconds every reply is held back
        self.exchanges = []  # (first request line, first response line) of every request, in order
        self._rules = []  # request prefixes whose replies are withheld, each once
        self._stalled = 0
        self._changed = threading.Condition()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._running = True

    @property
    def url(self):
        host, port = self._server.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self):
        self._running = False
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accept() and stops listening
        self._server.close()

    def stall(self, prefix, *, drop=False):
        """Withhold the reply to the next request that starts with `prefix` (bytes): hold the line
        until the client gives up, or with `drop`, reset the connection once the peer has answered."""
        with self._changed:
            self._rules.append((prefix, drop))

    def wait_stalled(self, count, timeout=60.0):
        """Wait until the peer has answered `count` requests whose replies were withheld."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._stalled >= count, timeout):
                raise TimeoutError(f"expected {count} withheld replies, got {self._stalled}")

    def created(self, request_prefix):
        """How many requests starting with `request_prefix` the peer answered 201 Created."""
        return sum(
            1 for line, status in self.exchanges if line.startswith(request_prefix) and b" 201 " in status
        )

    def _accept(self):
        while self._running:
            try:
                client, _address = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        with client, socket.create_connection(self.target) as upstream:
            head = client.recv(65536)
            if not head:
                return
            with self._changed:
                rule = next((r for r in self._rules if head.startswith(r[0])), None)
                if rule is not None:
                    self._rules.remove(rule)
            upstream.sendall(head)
            threading.Thread(target=_pump, args=(client, upstream), daemon=True).start()
            first = upstream.recv(65536)
            self._record(head, first, stalled=rule is not None)
            if rule is not None and rule[1]:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return  # closed with linger 0: a reset
            if rule is not None:
                client.settimeout(120)
                try:
                    while client.recv(65536):  # hold the line until the client gives up
                        pass
                except OSError:
                    pass
                return
            time.sleep(self.delay)
            client.sendall(_closing(first))
            _pump(upstream, client)

    def _record(self, head, first, *, stalled):
        with self._changed:
            self.exchanges.append((head.split(b"\r\n", 1)[0], first.split(b"\r\n", 1)[0]))
            self._stalled += stalled
            self._changed.notify_all()


def _closing(reply):
    """The reply, telling the client to close the connection after it: the proxy sees (and can hold
    back) only the first exchange of a connection, so a client that keeps connections open must open
    a new one for its next request."""
    status_line, rest = reply.split(b"\r\n", 1)
    return status_line + b"\r\nConnection: close\r\n" + rest


def _pump(source, sink):
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
