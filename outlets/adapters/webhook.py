"""Signed webhook: Standard Webhooks headers (webhook-id = the delivery's key), HMAC-SHA256."""

import base64
import hashlib
import hmac
import json
import time

import httpx

from publicity.failpoints import failpoint

from .. import http
from ..validators import is_web_address
from .base import Adapter, DeliveryError, Sent, payload, raise_for_status, transport_error


def secret_bytes(secret):
    """Standard Webhooks secrets look like "whsec_<base64>"; anything else is used as it is."""
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode()


def sign(secret, message_id, timestamp, body):
    digest = hmac.new(
        secret_bytes(secret), f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256
    ).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret, headers, body, *, tolerance=300):
    """True if the headers carry a valid v1 signature of body, made within `tolerance` seconds.
    Never with an empty secret: anyone can sign with an empty key."""
    if not secret:
        return False
    message_id, timestamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    try:
        if abs(time.time() - int(timestamp)) > tolerance:
            return False
    except ValueError:
        return False
    expected = sign(secret, message_id, timestamp, body)
    return any(
        hmac.compare_digest(expected, candidate) for candidate in headers.get("webhook-signature", "").split()
    )


class WebhookAdapter(Adapter):
    # A receiver deduplicates by webhook-id (Standard Webhooks): sending again with the same key is safe.
    resend_is_safe = True

    def send(self, delivery, recorder):
        data = payload(delivery)
        return self._post(recorder, data, str(delivery.uuid))

    def _post(self, recorder, data, message_id):
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": sign(self.secret, message_id, timestamp, body),
        }
        recorder.before_request()
        try:
            response = http.request(
                recorder,
                "POST",
                self.outlet.endpoint,
                content=body,
                headers=headers,
                redacted={"json": data, "headers": ["webhook-id", "webhook-timestamp"]},
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, "POST") from None
        except http.DestinationRefused as exc:
            raise DeliveryError(str(exc), permanent=True) from None
        raise_for_status(response)
        failpoint("webhook.after_sent")
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        answer = answer if isinstance(answer, dict) else {}
        url = str(answer.get("url", ""))[:500]
        return Sent(remote_id=str(answer.get("id", ""))[:200], remote_url=url if is_web_address(url) else "")

    def test_connection(self, recorder):
        self._post(recorder, {"schema": "publicity-desk.ping.v1"}, f"test-{int(time.time())}")
        return "The receiver accepted a signed test message."
