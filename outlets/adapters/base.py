import email.utils
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from ..credentials import decrypt

MAX_RETRY_AFTER = timedelta(hours=6)


class DeliveryError(Exception):
    """A failed try. `permanent`: do not retry; `pause`: the outlet refuses us (credentials):
    pause it and tell the admins; `retry_after`: the outlet said when to come back; `maybe_sent`:
    the request may have reached the outlet (no answer came), so it must be asked before a resend."""

    def __init__(self, message, *, permanent=False, pause=False, retry_after=None, maybe_sent=False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.pause = pause
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


class LeaseLost(Exception):
    """The attempt's lease ran out and another attempt took the delivery over: stop, change nothing."""


# No connection, so the outlet surely has not got the request: sending it again is safe.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.LocalProtocolError)


def transport_error(exc, method):
    """A request that got no answer. Unless it never left (no connection) or only read (GET), the
    outlet may have acted on it: a read or write timeout, a reset or a garbled reply after sending."""
    reads_only = method in ("GET", "HEAD")
    return DeliveryError(
        f"{exc.__class__.__name__}: {exc}", maybe_sent=not reads_only and not isinstance(exc, NOT_SENT)
    )


@dataclass
class Sent:
    remote_id: str = ""
    remote_url: str = ""


class Recorder:
    """Collects what one attempt sent and received, and saves remote ids the moment they arrive."""

    def __init__(self, delivery, renew_lease=None):
        self.delivery = delivery
        self.requests = []
        self._renew_lease = renew_lease

    def log(self, entry):
        self.requests.append(entry)

    def before_request(self):
        """Extend the attempt's lease before each request, so a live multi-request send is never
        taken over; raises LeaseLost if it was (a takeover after a stall)."""
        if self._renew_lease is not None:
            self._renew_lease()

    def save_remote(self, **fields):
        from ..models import Delivery

        for name, value in fields.items():
            setattr(self.delivery, name, value)
        Delivery.objects.filter(pk=self.delivery.pk).update(**fields)  # committed now, not at the end


class Adapter:
    can_find = False  # whether the outlet can be asked if a delivery already arrived
    resend_is_safe = False  # whether the outlet recognises a repeat by the delivery's key

    def __init__(self, outlet):
        self.outlet = outlet

    @property
    def secret(self):
        return decrypt(self.outlet.secret_encrypted)

    def send(self, delivery, recorder):
        raise NotImplementedError

    def find(self, delivery, recorder):
        """The delivery as the outlet has it, or None. Only where can_find."""
        raise NotImplementedError

    def adoption(self, delivery, recorder):
        """("adopted", url), ("declined", "") or None if not known yet. Only where the outlet tells."""
        return None

    def test_connection(self, recorder):
        """A short sentence saying the outlet answers; raises DeliveryError with its exact error."""
        raise NotImplementedError


def raise_for_status(response):
    """Classify an HTTP answer (DESIGN.md §6, promise 5)."""
    status = response.status_code
    if status < 300:
        return
    detail = f"HTTP {status}: {response.text[:300]}"
    if status in (401, 403, 410):
        raise DeliveryError(detail, pause=True)
    if status == 429 or status >= 500:
        raise DeliveryError(detail, retry_after=retry_after(response.headers.get("Retry-After")))
    raise DeliveryError(detail, permanent=True)


def retry_after(value):
    if not value:
        return None
    try:
        delay = timedelta(seconds=max(0, int(value)))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        delay = when - datetime.now(when.tzinfo or timezone.get_current_timezone())
    return min(max(delay, timedelta(0)), MAX_RETRY_AFTER)


def photo_url(delivery, photo):
    """An expiring signed address of the photo's display rendition, for the outlet to fetch."""
    token = signing.dumps({"d": str(delivery.uuid), "p": photo.pk}, salt="outlets.photo", compress=True)
    return settings.SITE_URL.rstrip("/") + reverse("outlets:photo", args=[token])


def payload(delivery):
    """The item as every outlet receives it (webhook schema v1: docs/webhook-schema-v1.md)."""
    article, revision = delivery.article, delivery.revision
    photos = [p for p in article.photos.all() if p.display]
    return {
        "schema": "publicity-desk.article.v1",
        "delivery": str(delivery.uuid),
        "article": {
            "id": article.pk,
            "revision": revision.number,
            "title": revision.title,
            "body_html": revision.body,
            "category": str(article.category) if article.category else None,
            "event_date": article.event_date.isoformat() if article.event_date else None,
            "important": article.important,
            "unit": article.unit.name,
            "co_units": [unit.name for unit in article.co_units.all()],
            "author": str(article.author),
            "signed_off_at": timezone.now().isoformat(),
        },
        "photos": [
            {
                "url": photo_url(delivery, p),
                "caption": p.caption,
                "credit": p.credit,
                "cover": p.is_cover,
                "width": p.width,
                "height": p.height,
            }
            for p in photos
        ],
    }
