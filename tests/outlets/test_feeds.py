"""The secret Atom feed: well-formed whatever the items hold."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from outlets.models import Delivery, Outlet
from submissions.models import Revision
from tests.factories import PhotoFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def feed_outlet(db):
    return Outlet.objects.create(name="Campus feed", kind=Outlet.Kind.ATOM, preselected=True)


def feed_of(client, outlet):
    return client.get(reverse("outlets:feed", args=[outlet.feed_token]))


def test_the_feed_stays_well_formed_with_characters_xml_cannot_hold(
    client, article, feed_outlet, sign_off, live_server, settings
):
    settings.SITE_URL = live_server.url
    from django.core.files.base import ContentFile

    from tests.submissions import corpus

    photo = PhotoFactory(article=article, caption="Start")
    photo.display.save("d.jpg", ContentFile(corpus.jpeg()), save=True)
    sign_off(article)
    # Stored before input was cleaned: the feed must hold up all the same.
    delivery = Delivery.objects.get(article=article)
    Revision.objects.filter(pk=delivery.revision_id).update(
        title="Sports\ufffe day\x0b", body="<p>Bell\x07 rang\uffff</p>"
    )
    type(photo).objects.filter(pk=photo.pk).update(caption="Start\ufffe line")

    response = feed_of(client, feed_outlet)

    assert response.status_code == 200
    root = ET.fromstring(response.content)
    [entry] = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Sports day"
    summary = entry.findtext(f"{ATOM}summary")
    assert "<p>Bell rang</p>" in summary and 'alt="Start line"' in summary
