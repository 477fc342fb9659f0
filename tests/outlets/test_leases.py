"""One request longer than the lease: the attempt keeps its lease while its worker lives."""

import socket
import threading
import time

import pytest
from django.db import connection

from outlets.credentials import encrypt
from outlets.models import Delivery, Outlet
from outlets.tasks import deliver, sweep
from tests.outlets.conftest import SECRET


class TricklingReceiver:
    """Answers every request "200 OK" a byte at a time, `pause` seconds apart: each read is well
    within the timeout, the whole answer takes longer than the lease (a large upload on a slow line
    behaves the same)."""

    BODY = b'{"id": "slow-1", "url": ""}'

    def __init__(self, pause):
        self.pause = pause
        self.requests = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._running = True
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.getsockname()[1]}/hook"

    def stop(self):
        self._running = False
        self._server.close()

    def _accept(self):
        while self._running:
            try:
                conn, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            while len(body) < length:
                body += conn.recv(65536)
            self.requests += 1
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            conn.sendall(b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(self.BODY))
            for byte in self.BODY[:8]:
                time.sleep(self.pause)
                conn.sendall(bytes([byte]))
            conn.sendall(self.BODY[8:])


@pytest.fixture
def trickling():
    receiver = TricklingReceiver(pause=0.5)
    yield receiver
    receiver.stop()


@pytest.mark.django_db(transaction=True)
def test_one_request_longer_than_the_lease_is_not_taken_over(article, people, trickling, settings):
    settings.OUTLETS_HTTP_TIMEOUT = 1.0  # a lease of 2 s; the answer takes 4 s, each byte within 0.5 s
    outlet = Outlet.objects.create(
        name="Slow portal", kind=Outlet.Kind.WEBHOOK, endpoint=trickling.url, secret_encrypted=encrypt(SECRET)
    )
    revision = article.revisions.create(
        number=1, title="t", body="b", content_hash="x", created_by=article.author
    )
    delivery = Delivery.objects.create(
        article=article, revision=revision, outlet=outlet, created_by=people["director"]
    )

    sender = threading.Thread(target=_deliver_in_thread, args=(delivery.pk,))
    sender.start()
    while sender.is_alive():
        sweep()  # the sweeper hands an expired lease to another attempt
        time.sleep(0.2)

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED and delivery.attempts == 1
    assert delivery.remote_id == "slow-1" and trickling.requests == 1


def _deliver_in_thread(delivery_id):
    try:
        deliver(delivery_id)
    finally:
        connection.close()
