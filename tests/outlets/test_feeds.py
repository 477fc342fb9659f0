"""The secret Atom feed: well-formed whatever the items hold, its address for the office only, and a
token the admin can change."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from outlets import actions
from outlets.models import Delivery, Outlet
from submissions.models import Revision
from tests.factories import PhotoFactory, UserFactory

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


def test_the_feed_address_is_shown_to_the_office_only(client, article, people, feed_outlet, sign_off):
    sign_off(article)
    page = reverse("outlets:article_deliveries", args=[article.pk])
    for person in ("officer", "leader", "leadership"):
        client.force_login(people[person])
        fragment = client.get(page).content.decode()
        assert "Campus feed" in fragment and feed_outlet.feed_token not in fragment, person
    client.force_login(people["director"])
    assert feed_outlet.feed_token in client.get(page).content.decode()


def test_rotating_the_token_retires_the_old_address(client, article, people, feed_outlet, sign_off):
    sign_off(article)
    old = feed_outlet.feed_token
    admin = UserFactory(is_staff=True, is_superuser=True)

    actions.rotate_feed_token(feed_outlet, by=admin)

    feed_outlet.refresh_from_db()
    assert feed_outlet.feed_token != old
    assert client.get(reverse("outlets:feed", args=[old])).status_code == 404
    assert feed_of(client, feed_outlet).status_code == 200
    delivery = Delivery.objects.get(article=article)
    assert old not in delivery.remote_url and feed_outlet.feed_token in delivery.remote_url


def test_the_admin_rotates_the_token_from_the_outlet_list(client, feed_outlet):
    old = feed_outlet.feed_token
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:outlets_outlet_changelist"),
        {"action": "rotate_feed_token", "_selected_action": [feed_outlet.pk]},
        follow=True,
    )

    feed_outlet.refresh_from_db()
    assert feed_outlet.feed_token != old
    assert "new feed address" in response.content.decode()


def test_the_delivery_log_does_not_give_the_feed_address_away(client, article, people, feed_outlet, sign_off):
    sign_off(article)
    delivery = Delivery.objects.get(article=article)
    client.force_login(people["leadership"])  # sees deliveries, not the feed's secret address
    page = client.get(reverse("outlets:delivery", args=[delivery.pk])).content.decode()
    assert "FEED" in page and feed_outlet.feed_token not in page
