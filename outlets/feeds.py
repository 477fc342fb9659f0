from html import escape

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from submissions.content import xml_text

from .adapters.base import photo_url
from .models import Delivery, Outlet


class OutletFeed(Feed):
    """The secret Atom feed of one outlet: the items delivered to it, newest first, stable ids.
    Every text passes through xml_text: one stray control character would break the whole feed."""

    feed_type = Atom1Feed

    def get_object(self, request, token):
        return get_object_or_404(Outlet, feed_token=token, kind=Outlet.Kind.ATOM)

    def title(self, outlet):
        return xml_text(outlet.name)

    def link(self, outlet):
        return f"/outlets/feeds/{outlet.feed_token}/"

    def items(self, outlet):
        return (
            Delivery.objects.filter(outlet=outlet, state=Delivery.State.DELIVERED)
            .select_related("revision", "article", "article__unit")
            .prefetch_related("article__photos")
            .order_by("-delivered_at")[:50]
        )

    def item_title(self, delivery):
        return xml_text(delivery.revision.title)

    def item_description(self, delivery):
        photos = "".join(
            f'<p><img src="{escape(photo_url(delivery, p))}" alt="{escape(p.caption)}"></p>'
            for p in delivery.article.photos.all()
            if p.display
        )
        return xml_text(delivery.revision.body + photos)

    def item_link(self, delivery):
        return f"/outlets/feeds/{delivery.outlet.feed_token}/#{delivery.uuid}"

    def item_guid(self, delivery):
        return f"urn:uuid:{delivery.uuid}"

    item_guid_is_permalink = False

    def item_pubdate(self, delivery):
        return delivery.delivered_at

    def item_author_name(self, delivery):
        return xml_text(delivery.article.unit)
