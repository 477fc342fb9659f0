"""Webhook outlets need a signing secret; callbacks are signed and carry only web addresses."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from outlets.adapters.webhook import sign
from outlets.forms import OutletAdminForm
from outlets.models import Adoption, Delivery, Outlet
from tests.outlets.conftest import SECRET

pytestmark = pytest.mark.django_db


def callback(client, outlet, delivery, *, secret=SECRET, url="https://portal.example/a/1"):
    body = json.dumps({"type": "published", "delivery": str(delivery.uuid), "url": url}).encode()
    timestamp = str(int(timezone.now().timestamp()))
    headers = {
        "webhook-id": "cb-1",
        "webhook-timestamp": timestamp,
        "webhook-signature": sign(secret, "cb-1", timestamp, body),
    }
    path = reverse("outlets:webhook_callback", args=[outlet.pk])
    return client.post(path, body, content_type="application/json", headers=headers)


def outlet_form(**changes):
    data = {
        "name": "District portal",
        "kind": Outlet.Kind.WEBHOOK,
        "level": Outlet.Level.COUNTY,
        "endpoint": "https://portal.example/hook",
        "post_status": Outlet.PostStatus.PENDING,
        "category_map": "{}",
        "max_concurrency": 2,
        "is_active": True,
        "credential": "",
    }
    return data | changes


def test_a_webhook_outlet_cannot_be_saved_without_a_secret():
    form = OutletAdminForm(data=outlet_form())
    assert not form.is_valid()
    assert form.errors["credential"] == ["A webhook outlet needs a signing secret (whsec_…)."]
    assert OutletAdminForm(data=outlet_form(credential=SECRET)).is_valid()


def test_a_webhook_outlet_keeps_its_stored_secret_when_the_field_is_left_empty(webhook):
    assert OutletAdminForm(data=outlet_form(endpoint=webhook.endpoint), instance=webhook).is_valid()


def test_other_outlets_need_no_secret():
    form = OutletAdminForm(data=outlet_form(kind=Outlet.Kind.EMAIL, endpoint="desk@daily.example"))
    assert form.is_valid(), form.errors


def test_a_callback_for_an_outlet_without_a_secret_is_refused(client, article, webhook, receiver, sign_off):
    sign_off(article)
    delivery = Delivery.objects.get(article=article)
    Outlet.objects.filter(pk=webhook.pk).update(secret_encrypted="")  # saved before secrets were required

    forged = callback(client, webhook, delivery, secret="")  # anyone can sign with an empty key

    assert forged.status_code == 401
    assert not Adoption.objects.exists()
    delivery.refresh_from_db()
    assert delivery.adoption == Delivery.Adoption.UNKNOWN


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(document.cookie)", "JavaScript://portal.example/%0aalert(1)", "data:text/html,x"],
)
def test_a_callback_with_an_address_that_is_not_a_web_address_is_refused(
    client, article, people, webhook, receiver, sign_off, url
):
    sign_off(article)
    delivery = Delivery.objects.get(article=article)

    response = callback(client, webhook, delivery, url=url)

    assert response.status_code == 400
    assert not Adoption.objects.exists()
    client.force_login(people["officer"])
    page = client.get(reverse("outlets:article_deliveries", args=[article.pk])).content.decode()
    assert "javascript:" not in page.lower() and "data:" not in page


def test_an_outlet_that_answers_with_a_script_address_gets_no_link(
    client, article, people, webhook, receiver, sign_off
):
    receiver.reply_url = "javascript:alert(1)"
    sign_off(article)
    delivery = Delivery.objects.get(article=article)
    assert delivery.state == Delivery.State.DELIVERED and delivery.remote_url == ""
    client.force_login(people["officer"])
    page = client.get(reverse("outlets:article_deliveries", args=[article.pk])).content.decode()
    assert "javascript:" not in page
