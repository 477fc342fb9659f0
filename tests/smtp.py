"""`smtp_server`: a real SMTP server (aiosmtpd) on 127.0.0.1 that Django's SMTP backend sends to."""

import asyncio
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """The aiosmtpd handler: keeps every message the server accepts, parsed."""

    def __init__(self):
        self.envelopes = []
        self.messages = []  # email.message.EmailMessage
        self.stall = {}  # recipient -> seconds to wait before confirming a message to them
        self.refuse = set()  # recipients the server answers 550 (no such mailbox)
        self.later = set()  # recipients the server answers 451 (greylisting: try again later)
        self.sessions = []  # the client's address and port of each message: one per connection
        self._arrived = threading.Condition()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        if address in self.later:
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # SMTP lines end in CRLF; parsed with \n, bodies compare as Python strings do.
        raw = (envelope.original_content or envelope.content).replace(b"\r\n", b"\n")
        message = message_from_bytes(raw, policy=policy.default)
        with self._arrived:
            self.sessions.append(session.peer)
            self.envelopes.append(envelope)
            self.messages.append(message)
            self._arrived.notify_all()
        # Kept, and then the confirmation is late: the client may give up on a message that arrived.
        await asyncio.sleep(max((self.stall.get(to, 0) for to in envelope.rcpt_tos), default=0))
        return "250 Message accepted for delivery"

    def wait_for(self, count, timeout=5.0):
        """The first `count` messages, once they have arrived; fails the test after `timeout` s."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                pytest.fail(f"expected {count} e-mail(s) within {timeout} s, got {len(self.messages)}")
            return self.messages[:count]


class _AnyPortController(Controller):
    def _trigger_server(self):
        # Bound to port 0, the system chose a free port: learn it before the controller connects.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = _AnyPortController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    # pytest-django swapped in the locmem backend for the session; this test talks real SMTP.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()
