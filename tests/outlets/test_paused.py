"""A paused outlet keeps its items: they wait, visibly, and go out when it is resumed; the office
director hears of pauses and failures, in the app and by e-mail."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from outlets import actions
from outlets.models import Delivery
from reviews.models import Decision, ReviewStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def paused(webhook):
    webhook.is_active = False
    webhook.paused_reason = "HTTP 401: bad key"
    webhook.save()
    return webhook


def test_signing_off_while_an_outlet_is_paused_keeps_its_delivery_until_it_is_resumed(
    client, article, people, paused, receiver, sign_off, django_capture_on_commit_callbacks
):
    sign_off(article)

    delivery = Delivery.objects.get(article=article, outlet=paused)
    assert delivery.state == Delivery.State.QUEUED and receiver.requests == 0
    client.force_login(people["director"])
    item = client.get(reverse("outlets:article_deliveries", args=[article.pk])).content.decode()
    listing = client.get(reverse("outlets:deliveries")).content.decode()
    assert "Waiting: outlet paused" in item and "Waiting: outlet paused" in listing
    assert "1 delivery waits for it." in listing

    with django_capture_on_commit_callbacks(execute=True):
        actions.resume_outlet(paused, by=people["director"])

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert list(receiver.messages) == [str(delivery.uuid)]


def test_the_sign_off_form_offers_a_paused_outlet_and_sends_to_it(client, article, people, paused, sign_off):
    sign_off_step = _at_the_last_stage(article, people, sign_off)
    client.force_login(people["director"])
    page = client.get(reverse("reviews:step", args=[sign_off_step.pk]))
    assert page.context["form"].initial["outlets"] == [paused.pk]
    assert "paused" in page.content.decode()

    client.post(
        reverse("reviews:decide", args=[sign_off_step.pk]),
        {"decision": "approve", "revision": sign_off_step.revision_id, "outlets": [paused.pk]},
    )

    assert Delivery.objects.get(article=article).outlet == paused


def _at_the_last_stage(article, people, sign_off):
    from reviews import actions as review_actions

    review_actions.submit_for_review(article, base_version=article.version, by=article.author)
    step = ReviewStep.objects.get(article=article, decision=Decision.PENDING)
    review_actions.approve(step, by=people["leader"], revision_id=step.revision_id)
    return ReviewStep.objects.get(article=article, decision=Decision.PENDING)


@pytest.mark.parametrize(("status", "kind"), [(401, "outlet_paused"), (400, "delivery_failed")])
def test_the_office_director_is_told_in_the_app_and_by_email(
    article, people, webhook, receiver, sign_off, smtp_server, status, kind
):
    director = people["director"]
    assert not director.is_staff
    receiver.answers.append((status, {}, 0))

    sign_off(article)

    assert Notification.objects.filter(recipient=director, kind=kind).exists()
    mails = smtp_server.wait_for(2)  # the author's "signed off", and the director's
    assert any(m["To"] == director.email for m in mails)
