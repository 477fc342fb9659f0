"""Atom feed: the outlet pulls a secret feed URL; a delivery is "delivered" once it is in the feed."""

from django.conf import settings
from django.urls import reverse

from .base import Adapter, Sent


class AtomAdapter(Adapter):
    can_find = True

    def feed_url(self):
        return settings.SITE_URL.rstrip("/") + reverse("outlets:feed", args=[self.outlet.feed_token])

    def send(self, delivery, recorder):
        # The log is shown to everyone who sees deliveries; the feed's address is for fewer (permissions.py).
        address = reverse("outlets:feed", args=["…"])
        recorder.log({"method": "FEED", "url": address, "sent": {"entry": f"urn:uuid:{delivery.uuid}"}})
        return Sent(remote_id=f"urn:uuid:{delivery.uuid}", remote_url=self.feed_url())

    def find(self, delivery, recorder):
        return Sent(remote_id=f"urn:uuid:{delivery.uuid}", remote_url=self.feed_url())

    def test_connection(self, recorder):
        return f"The feed is at {self.feed_url()}"
