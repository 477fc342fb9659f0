"""A broker that hangs or is down costs a user about a second, never the whole request (DESIGN.md §6).

The sign-off runs in a web process of its own (a subprocess whose CELERY_BROKER_URL names the broker),
so that what is tested is the configuration the settings give, not this process's reconfigured app.
"""

import time

import pytest

from outlets.credentials import encrypt
from outlets.models import Delivery, Outlet
from reviews import actions
from reviews.models import Decision, ReviewStep
from submissions.models import Status
from tests.misbehaving import SilentBroker, closed_port, run_django

# Generous: the bound is about a second; the fault it guards against took 30 s or forever.
QUICKLY = 5.0


def make_outlet(name):
    # Never reached: the delivery only has to be committed, the broker is what fails.
    return Outlet.objects.create(
        name=name,
        kind=Outlet.Kind.WEBHOOK,
        endpoint=f"http://127.0.0.1:{closed_port()}/hook",
        secret_encrypted=encrypt("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        preselected=True,
    )


@pytest.fixture
def webhook(db):
    return make_outlet("District portal")


@pytest.fixture
def silent_broker():
    with SilentBroker() as broker:
        yield broker


SIGN_OFF_THROUGH_THE_WEB = """
import json, sys, time
from django.test import Client
from django.urls import reverse
from accounts.models import User
from reviews.models import ReviewStep

step = ReviewStep.objects.get(pk=int(sys.argv[1]))
client = Client()
client.force_login(User.objects.get(pk=int(sys.argv[2])))
started = time.monotonic()
response = client.post(
    reverse("reviews:decide", args=[step.pk]),
    {"decision": "approve", "revision": step.revision_id, "outlets": sys.argv[3:]},
)
print(json.dumps({"status": response.status_code, "seconds": time.monotonic() - started}))
"""


def sign_off_in_a_web_process(step, director, outlets, broker_url, **env):
    """The director approves the last step through the web view, in a process whose broker is
    `broker_url`; returns (HTTP status, seconds the request took)."""
    answer, _ = run_django(
        SIGN_OFF_THROUGH_THE_WEB,
        step.pk,
        director.pk,
        *[o.pk for o in outlets],
        CELERY_BROKER_URL=broker_url,
        **env,
    )
    return answer["status"], answer["seconds"]


def awaiting_sign_off(article, people):
    actions.submit_for_review(article, base_version=article.version, by=article.author)
    step = ReviewStep.objects.get(article=article, decision=Decision.PENDING)
    actions.approve(step, by=people["leader"], revision_id=step.revision_id)
    return ReviewStep.objects.get(article=article, decision=Decision.PENDING)


@pytest.mark.django_db(transaction=True)
def test_a_sign_off_answers_quickly_with_its_deliveries_when_the_broker_hangs(
    article, people, webhook, silent_broker
):
    step = awaiting_sign_off(article, people)

    status, seconds = sign_off_in_a_web_process(step, people["director"], [webhook], silent_broker.url)

    assert status == 302
    assert seconds < QUICKLY
    article.refresh_from_db()
    assert article.status == Status.APPROVED
    assert list(Delivery.objects.filter(article=article).values_list("outlet", "state")) == [
        (webhook.pk, Delivery.State.QUEUED)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_sign_off_to_many_outlets_waits_on_a_hung_broker_once_not_once_per_task(
    article, people, silent_broker
):
    outlets = [make_outlet(f"Outlet {n}") for n in range(5)]
    step = awaiting_sign_off(article, people)

    status, seconds = sign_off_in_a_web_process(step, people["director"], outlets, silent_broker.url)

    assert status == 302
    # About a second (3.3 s on a machine running two suites at once): five deliveries and the
    # notifications, one second each, took seven.
    assert seconds < 4.5
    assert Delivery.objects.filter(article=article, state=Delivery.State.QUEUED).count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_sign_off_answers_quickly_with_its_deliveries_when_the_broker_is_down(article, people, webhook):
    step = awaiting_sign_off(article, people)

    status, seconds = sign_off_in_a_web_process(
        step, people["director"], [webhook], f"redis://127.0.0.1:{closed_port()}/0"
    )

    assert status == 302
    assert seconds < QUICKLY
    assert Delivery.objects.filter(article=article, outlet=webhook, state=Delivery.State.QUEUED).exists()


@pytest.mark.django_db(transaction=True)
def test_a_result_store_that_hangs_does_not_hang_a_sign_off(article, people, webhook, silent_broker):
    # No task's result is read: none is waited for (Celery subscribes to it when a task is queued).
    step = awaiting_sign_off(article, people)

    status, seconds = sign_off_in_a_web_process(
        step,
        people["director"],
        [webhook],
        f"redis://127.0.0.1:{closed_port()}/0",
        CELERY_RESULT_BACKEND=silent_broker.url,
    )

    assert status == 302
    assert seconds < QUICKLY


def test_healthz_answers_503_quickly_when_the_broker_hangs(client, db, settings, silent_broker):
    settings.CELERY_BROKER_URL = silent_broker.url

    started = time.monotonic()
    response = client.get("/healthz")
    seconds = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]
    assert seconds < QUICKLY


def test_healthz_answers_503_quickly_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"

    started = time.monotonic()
    response = client.get("/healthz")
    seconds = time.monotonic() - started

    assert response.status_code == 503
    assert seconds < QUICKLY
