"""The WordPress adapter against a real WordPress (tests/peers/wordpress/setup.sh; CI runs it)."""

import threading
import time
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from outlets import actions
from outlets.credentials import encrypt
from outlets.models import Delivery, Outlet
from outlets.tasks import deliver, poll_adoptions, sweep
from tests.factories import PhotoFactory
from tests.outlets.proxy import StallingProxy
from tests.submissions import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def wp_outlet(wordpress, db):
    return Outlet.objects.create(
        name="Municipal portal",
        kind=Outlet.Kind.WORDPRESS,
        level=Outlet.Level.CITY,
        endpoint=wordpress.url,
        username=wordpress.author.username,
        secret_encrypted=encrypt(wordpress.author.app_password),
        preselected=True,
    )


def with_photo(article, caption="运动会颁奖 Prize giving"):
    photo = PhotoFactory(article=article, caption=caption, is_cover=True)
    photo.display.save("d.jpg", ContentFile(corpus.jpeg()), save=True)
    return photo


def remote_posts(wordpress, delivery):
    return wordpress.posts(slug=delivery.marker, status="any", context="edit")


def test_a_signed_off_item_becomes_a_pending_post_with_its_photo(article, wp_outlet, wordpress, sign_off):
    with_photo(article)
    sign_off(article)

    delivery = Delivery.objects.get(article=article)
    assert delivery.state == Delivery.State.DELIVERED, delivery.last_error
    [post] = remote_posts(wordpress, delivery)
    assert post["status"] == "pending" and post["title"]["raw"] == article.title
    assert str(post["id"]) == delivery.remote_id
    media = wordpress.request(
        "GET", f"/wp/v2/media/{post['featured_media']}", params={"context": "edit"}
    ).json()
    assert "Prize giving" in media["caption"]["raw"] and media["alt_text"] == "运动会颁奖 Prize giving"
    assert media["source_url"] in post["content"]["raw"]


def test_category_mapping_is_applied(article, wp_outlet, wordpress, sign_off):
    category = wordpress.request("POST", "/wp/v2/categories", json={"name": f"Education {article.pk}"}).json()
    wp_outlet.category_map = {str(article.category): category["id"]}
    wp_outlet.save()
    sign_off(article)
    [post] = remote_posts(wordpress, Delivery.objects.get(article=article))
    assert post["categories"] == [category["id"]]
    wordpress.request("DELETE", f"/wp/v2/categories/{category['id']}", params={"force": "true"})


def test_an_interrupted_delivery_is_found_not_posted_twice(article, wp_outlet, wordpress, sign_off):
    sign_off(article)
    delivery = Delivery.objects.get(article=article)
    # As if the worker died after WordPress created the post, before we recorded it.
    Delivery.objects.filter(pk=delivery.pk).update(
        state="sending", remote_id="", lease_until="2000-01-01T00:00Z"
    )

    actions.run_delivery(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert len(remote_posts(wordpress, delivery)) == 1
    assert delivery.attempts_log.order_by("-number").first().outcome == "found"


def test_publishing_on_the_site_is_recorded_as_adoption(article, wp_outlet, wordpress, sign_off):
    sign_off(article)
    delivery = Delivery.objects.get(article=article)
    poll_adoptions()
    delivery.refresh_from_db()
    assert delivery.adoption == Delivery.Adoption.UNKNOWN  # still pending at the outlet

    published = wordpress.publish(int(delivery.remote_id))
    poll_adoptions()

    delivery.refresh_from_db()
    assert delivery.adoption == Delivery.Adoption.ADOPTED and delivery.adopted_url == published["link"]


def test_a_trashed_post_is_recorded_as_declined(article, wp_outlet, wordpress, sign_off):
    sign_off(article)
    delivery = Delivery.objects.get(article=article)
    wordpress.trash(int(delivery.remote_id))
    poll_adoptions()
    delivery.refresh_from_db()
    assert delivery.adoption == Delivery.Adoption.DECLINED


def test_a_wrong_application_password_pauses_the_outlet(article, wp_outlet, sign_off):
    wp_outlet.secret_encrypted = encrypt("abcd efgh ijkl mnop qrst uvwx")
    wp_outlet.save()
    sign_off(article)
    wp_outlet.refresh_from_db()
    assert not wp_outlet.is_active and "401" in wp_outlet.paused_reason


def test_test_connection_names_the_user(wp_outlet):
    ok, message = actions.test_connection(wp_outlet)
    assert ok and "Signed in to" in message


def test_running_the_delivery_task_twice_makes_one_post(article, wp_outlet, wordpress, sign_off):
    sign_off(article)
    delivery = Delivery.objects.get(article=article)
    deliver(delivery.pk)
    deliver(delivery.pk)
    assert len(remote_posts(wordpress, delivery)) == 1
    assert delivery.attempts_log.count() == 1


HOSTILE = '<script>alert(1)</script> & "x"'


def test_title_caption_and_alt_text_arrive_as_text_not_markup(article, wp_outlet, wordpress, sign_off):
    article.title = HOSTILE
    article.save()
    with_photo(article, caption=f"<img src=x onerror=alert(2)> {HOSTILE}")
    sign_off(article)

    [post] = remote_posts(wordpress, Delivery.objects.get(article=article))
    media = wordpress.request(
        "GET", f"/wp/v2/media/{post['featured_media']}", params={"context": "edit"}
    ).json()
    for shown in (post["title"]["rendered"], media["caption"]["rendered"], post["content"]["rendered"]):
        assert "<script" not in shown and "<img src=x" not in shown, shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in post["title"]["rendered"]  # the text itself arrives
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in media["caption"]["rendered"]
    assert "<script" not in media["alt_text"] and "alert(1)" in media["alt_text"]


POST_CREATE = b"POST /?rest_route=%2Fwp%2Fv2%2Fposts "
MEDIA_UPLOAD = b"POST /?rest_route=%2Fwp%2Fv2%2Fmedia "


@pytest.fixture
def stalling(wordpress, wp_outlet, settings):
    """The outlet reaches WordPress through a proxy that can withhold WordPress's replies."""
    proxy = StallingProxy(("127.0.0.1", urlsplit(wordpress.url).port or 80)).start()
    wp_outlet.endpoint = proxy.url
    wp_outlet.save()
    settings.OUTLETS_HTTP_TIMEOUT = 3.0
    yield proxy
    proxy.stop()


def try_again(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    actions.run_delivery(delivery.pk)
    delivery.refresh_from_db()
    return delivery


@pytest.mark.parametrize(("drop", "error"), [(False, "ReadTimeout"), (True, "")])
def test_a_post_whose_reply_never_came_is_found_not_posted_again(
    client, people, article, wordpress, stalling, sign_off, drop, error
):
    stalling.stall(POST_CREATE, drop=drop)
    sign_off(article)  # WordPress creates the post; its reply is withheld past the timeout, or reset
    stalling.wait_stalled(1)
    delivery = Delivery.objects.get(article=article)
    assert delivery.state == Delivery.State.RETRYING and error in delivery.last_error, delivery.last_error
    client.force_login(people["director"])
    page = client.get(reverse("outlets:delivery", args=[delivery.pk])).content.decode()
    assert "the outlet will be asked whether it has the item" in page

    delivery = try_again(delivery)

    assert delivery.state == Delivery.State.DELIVERED, delivery.last_error
    [post] = remote_posts(wordpress, delivery)
    assert delivery.remote_id == str(post["id"]) and stalling.created(POST_CREATE) == 1
    assert delivery.attempts_log.order_by("-number").first().outcome == "found"


def test_a_photo_whose_upload_reply_never_came_is_uploaded_once(article, wordpress, stalling, sign_off):
    with_photo(article)
    stalling.stall(MEDIA_UPLOAD)
    sign_off(article)
    stalling.wait_stalled(1)
    delivery = Delivery.objects.get(article=article)
    assert delivery.state == Delivery.State.RETRYING

    delivery = try_again(delivery)

    assert delivery.state == Delivery.State.DELIVERED, delivery.last_error
    assert stalling.created(MEDIA_UPLOAD) == 1  # WordPress made one media item for the one photo
    [post] = remote_posts(wordpress, delivery)
    [media] = delivery.remote_media.values()
    assert post["featured_media"] == media["id"]
    assert [m["id"] for m in wordpress.media(search=delivery.marker)] == [media["id"]]


@pytest.mark.django_db(transaction=True)
def test_a_send_longer_than_its_lease_is_not_taken_over(
    article, people, wordpress, wp_outlet, stalling, settings
):
    with_photo(article)
    PhotoFactory(article=article).display.save("d.jpg", ContentFile(corpus.jpeg((64, 48))), save=True)
    revision = article.revisions.create(
        number=1, title="t", body="b", content_hash="x", created_by=article.author
    )
    delivery = Delivery.objects.create(
        article=article, revision=revision, outlet=wp_outlet, created_by=people["director"]
    )
    # Lease: 5 s + 5 s. Five requests held 2.5 s each outlast it, yet each leaves WordPress 2.5 s to
    # answer within the timeout even on a loaded machine.
    settings.OUTLETS_HTTP_TIMEOUT = 5.0
    stalling.delay = 2.5

    sender = threading.Thread(target=_deliver_in_thread, args=(delivery.pk,))
    sender.start()
    while sender.is_alive():
        sweep()  # the sweeper would hand an expired lease to another attempt
        time.sleep(0.2)

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED and delivery.attempts == 1
    assert stalling.created(POST_CREATE) == 1 and stalling.created(MEDIA_UPLOAD) == 2


def _deliver_in_thread(delivery_id):
    try:
        deliver(delivery_id)
    finally:
        connection.close()


def test_an_outlet_that_cannot_be_asked_yet_is_asked_again_before_sending(
    article, wordpress, wp_outlet, stalling, sign_off
):
    stalling.stall(POST_CREATE)
    sign_off(article)
    stalling.wait_stalled(1)
    stalling.stop()  # the next attempt cannot reach the site to ask
    delivery = try_again(Delivery.objects.get(article=article))
    assert delivery.state == Delivery.State.RETRYING and "Connect" in delivery.last_error

    Outlet.objects.filter(pk=wp_outlet.pk).update(endpoint=wordpress.url)  # reachable again
    delivery = try_again(delivery)

    assert delivery.state == Delivery.State.DELIVERED, delivery.last_error
    assert delivery.attempts_log.order_by("-number").first().outcome == "found"
