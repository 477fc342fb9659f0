"""Recovery is quick: a dead worker's sends go out within a minute and do not hold the outlet's
parallel-send slots; a send refused at the cap goes out when a slot frees, not at the next sweep."""

import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from outlets import actions
from outlets.models import Delivery
from outlets.tasks import deliver, sweep
from tests.factories import ArticleFactory


def sweep_interval():
    return timedelta(seconds=settings.CELERY_BEAT_SCHEDULE["sweep-deliveries"]["schedule"])


def queued(article, outlet, people, count=1):
    revision = article.revisions.create(
        number=1, title="t", body="b", content_hash="x", created_by=article.author
    )
    return [
        Delivery.objects.create(
            article=ArticleFactory(unit=article.unit),
            revision=revision,
            outlet=outlet,
            created_by=people["director"],
            next_attempt_at=timezone.now() - timedelta(minutes=5),
        )
        for _ in range(count)
    ]


def died_while_sending(delivery, ago):
    """A worker took the delivery `ago` and died: the claim was made then, nothing since."""
    assert actions.claim(delivery.pk, now=timezone.now() - ago)


@pytest.mark.django_db
def test_a_dead_workers_delivery_goes_out_within_a_minute(article, people, webhook, receiver):
    [delivery] = queued(article, webhook, people)
    died_while_sending(delivery, ago=timedelta(minutes=1) - sweep_interval())

    assert sweep() == 1  # the sweeper runs every 30 s: this one finds it

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert list(receiver.messages) == [str(delivery.uuid)]


@pytest.mark.django_db
def test_sends_held_by_a_dead_worker_do_not_block_the_outlet(article, people, webhook, receiver):
    *held, fresh = queued(article, webhook, people, count=webhook.max_concurrency + 1)
    for delivery in held:
        died_while_sending(delivery, ago=timedelta(minutes=1) - sweep_interval())

    deliver(fresh.pk)

    fresh.refresh_from_db()
    assert fresh.state == Delivery.State.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_a_send_refused_at_the_outlets_cap_goes_out_when_a_slot_frees(article, people, webhook, receiver):
    webhook.max_concurrency = 1
    webhook.save()
    slow, refused = queued(article, webhook, people, count=2)
    receiver.answers.append((200, {}, 2.0))  # the first send takes a while

    sender = threading.Thread(target=_deliver_in_thread, args=(slow.pk,))
    sender.start()
    deadline = time.monotonic() + 30
    while Delivery.objects.get(pk=slow.pk).state != Delivery.State.SENDING and time.monotonic() < deadline:
        time.sleep(0.05)
    deliver(refused.pk)  # the outlet's one slot is taken
    assert Delivery.objects.get(pk=refused.pk).state == Delivery.State.QUEUED
    sender.join(timeout=60)

    assert Delivery.objects.get(pk=slow.pk).state == Delivery.State.DELIVERED
    assert Delivery.objects.get(pk=refused.pk).state == Delivery.State.DELIVERED  # without a sweep
    assert sorted(receiver.messages) == sorted([str(slow.uuid), str(refused.uuid)])


@pytest.mark.django_db
def test_a_send_finished_below_the_outlets_cap_leaves_the_waiting_ones_to_their_own_tasks(
    article, people, webhook, receiver, django_capture_on_commit_callbacks
):
    sent, waiting = queued(article, webhook, people, count=2)  # the outlet takes two at a time

    with django_capture_on_commit_callbacks(execute=True):
        deliver(sent.pk)

    assert Delivery.objects.get(pk=sent.pk).state == Delivery.State.DELIVERED
    assert Delivery.objects.get(pk=waiting.pk).state == Delivery.State.QUEUED  # not sent twice over
    assert list(receiver.messages) == [str(sent.uuid)]


def _deliver_in_thread(delivery_id):
    try:
        deliver(delivery_id)
    finally:
        connection.close()


def test_a_delivery_task_that_lost_its_database_is_retried_within_seconds():
    """A restarting PostgreSQL fails the task with OperationalError; it is retried at once, not left
    for the sweeper (the chaos suite's scenario 4 shows it end to end)."""
    from django.db import InterfaceError, OperationalError

    from outlets.tasks import deliver

    assert {OperationalError, InterfaceError} <= set(deliver.autoretry_for)
    assert deliver.retry_backoff_max <= 20 and deliver.max_retries >= 3


@pytest.mark.django_db(transaction=True)  # its connection is cut: no test transaction around it
def test_a_delivery_task_lets_its_claim_find_a_lost_connection_and_is_retried(
    article, people, webhook, receiver, settings
):
    """As in a worker: no check of the connection before the task (a round trip of its own every
    time); the claim fails, changes nothing, the connection is dropped, and the retry delivers."""
    from django.db import OperationalError

    if connection.vendor != "postgresql" or not settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]:
        pytest.skip("a checked, persistent PostgreSQL connection, as in a worker")
    from django.db import connections

    [delivery] = queued(article, webhook, people)
    connection.ensure_connection()
    other = connections.create_connection("default")
    try:  # as if the database had restarted since the worker's last task
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    finally:
        other.close()

    def run_as_a_worker():
        deliver.push_request(id="task", is_eager=False, retries=0, args=[delivery.pk], kwargs={})
        try:
            deliver.before_start("task", [delivery.pk], {})
            actions.run_delivery(delivery.pk)  # the task's body, without Celery's retry
        finally:
            deliver.after_return()
            deliver.pop_request()

    with pytest.raises(OperationalError):  # in a worker, retried within seconds (autoretry_for)
        run_as_a_worker()
    assert Delivery.objects.get(pk=delivery.pk).state == Delivery.State.QUEUED
    run_as_a_worker()

    assert Delivery.objects.get(pk=delivery.pk).state == Delivery.State.DELIVERED
    assert list(receiver.messages) == [str(delivery.uuid)]


def test_the_sweeper_runs_often_enough_for_the_one_minute_promise(settings):
    from outlets.actions import lease_duration

    sweep_every = settings.CELERY_BEAT_SCHEDULE["sweep-deliveries"]["schedule"]
    assert lease_duration().total_seconds() + sweep_every <= 50  # and a worker picks it up within 10 s
