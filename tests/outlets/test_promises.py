"""The delivery promises on real services, with real Celery worker processes (DESIGN.md §6).

These run against the test database from other processes, so they use transactional tests and a
database file (SQLite) or server (PostgreSQL) that a worker process can open too.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F

from outlets.models import Delivery, Outlet
from outlets.tasks import sweep
from publicity.celery import app, reconnect
from reviews import actions as review_actions
from reviews.models import ReviewStep
from tests.misbehaving import redis_answers

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


class Broker:
    """Points this process's Celery app at a broker that test worker processes share."""

    def __init__(self, url, tmp_path):
        self.url = url
        # A queue of this test's own: messages left in a shared Redis by other runs cannot interfere.
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.env = {"CELERY_BROKER_URL": url}
        options = {}
        if url.startswith("filesystem://"):
            queue = tmp_path / "queue"
            queue.mkdir(exist_ok=True)
            self.env["CELERY_QUEUE_DIR"] = str(queue)
            options = {
                "data_folder_in": str(queue),
                "data_folder_out": str(queue),
                "control_folder": str(tmp_path / "control"),
            }
        self.options = options

    @classmethod
    def of_the_suite(cls, tmp_path):
        """The suite's Redis when it runs on one, else the embedded broker in tmp_path."""
        url = settings.CELERY_BROKER_URL
        return cls(url if "redis" in url else "filesystem://", tmp_path)

    def __enter__(self):
        self.saved_options = app.conf.broker_transport_options
        app.conf.task_always_eager = False
        app.conf.task_default_queue = self.queue
        app.conf.broker_write_url = self.url
        app.conf.broker_transport_options = {**self.saved_options, **self.options}
        reconnect()
        return self

    def __exit__(self, *exc):
        app.conf.task_always_eager = True
        app.conf.task_default_queue = "celery"
        app.conf.broker_write_url = None
        app.conf.broker_transport_options = self.saved_options
        reconnect()


def start_worker(broker, **env):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "publicity",
            "worker",
            "-Q",
            broker.queue,
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            **broker.env,
            "DATABASE_URL": database_url(),
            "DEBUG": "true",
            "SITE_URL": settings.SITE_URL,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "OUTLETS_ALLOW_LOOPBACK": "true",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(worker):
    worker.terminate()
    try:
        return worker.communicate(timeout=20)[0]
    except subprocess.TimeoutExpired:
        worker.kill()
        return worker.communicate()[0]


def wait_until(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def sign_off(article, people):
    review_actions.submit_for_review(article, base_version=article.version, by=article.author)
    for reviewer in ("leader", "director"):
        step = ReviewStep.objects.get(article=article, decision="pending")
        review_actions.approve(step, by=people[reviewer], revision_id=step.revision_id)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_worker_killed_after_wordpress_created_the_post_leaves_exactly_one_post(
    article, people, wordpress, tmp_path
):
    from outlets.credentials import encrypt

    Outlet.objects.create(
        name="Municipal portal",
        kind=Outlet.Kind.WORDPRESS,
        endpoint=wordpress.url,
        username=wordpress.author.username,
        secret_encrypted=encrypt(wordpress.author.app_password),
        preselected=True,
    )
    with Broker.of_the_suite(tmp_path) as broker:
        doomed = start_worker(broker, PUBLICITY_FAILPOINT="wordpress.after_post_created")
        sign_off(article, people)  # the kick goes to the broker; the worker takes it
        delivery = Delivery.objects.get(article=article)
        try:
            doomed.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("the worker did not reach the failpoint:\n" + stop(doomed))
        assert doomed.returncode == -9, stop(doomed)  # killed by SIGKILL at the failpoint
        delivery.refresh_from_db()
        assert delivery.state == Delivery.State.SENDING and not delivery.remote_id
        assert len(wordpress.posts(slug=delivery.marker, status="any", context="edit")) == 1

        # Later: the lease has run out; the sweeper hands the delivery to a healthy worker.
        Delivery.objects.filter(pk=delivery.pk).update(lease_until="2000-01-01T00:00Z")
        worker = start_worker(broker)
        try:
            sweep()
            wait_until(
                lambda: Delivery.objects.get(pk=delivery.pk).state == Delivery.State.DELIVERED,
                what="delivery",
            )
        finally:
            stop(worker)
    assert len(wordpress.posts(slug=delivery.marker, status="any", context="edit")) == 1
    assert Delivery.objects.get(pk=delivery.pk).attempts_log.order_by("-number").first().outcome == "found"


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server (CI has it)")
def test_sign_off_while_redis_is_down_delivers_once_it_is_back(article, people, receiver, webhook, tmp_path):
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    redis = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    with Broker(f"redis://127.0.0.1:{port}/0", tmp_path) as broker:
        worker = start_worker(broker)
        redis.terminate()
        redis.wait(timeout=10)
        try:
            sign_off(article, people)  # Redis is down: the sign-off still succeeds
            delivery = Delivery.objects.get(article=article)
            assert delivery.state == Delivery.State.QUEUED
            assert ReviewStep.objects.filter(article=article, decision="approved").count() == 2

            redis = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # Redis is back
            wait_until(lambda: redis_answers(port), what="redis")
            sweep()
            wait_until(
                lambda: Delivery.objects.get(pk=delivery.pk).state == Delivery.State.DELIVERED,
                what="delivery",
            )
        finally:
            output = stop(worker)
            redis.terminate()
    assert list(receiver.messages) == [str(delivery.uuid)], output


def test_photos_uploaded_by_a_killed_worker_are_found_and_it_goes_out_within_a_minute(
    article, people, wordpress, tmp_path
):
    from django.core.files.base import ContentFile

    from outlets.credentials import encrypt
    from tests.factories import PhotoFactory
    from tests.submissions import corpus

    for n in range(2):
        photo = PhotoFactory(article=article, caption=f"Photo {n}", is_cover=n == 0)
        photo.display.save("d.jpg", ContentFile(corpus.jpeg((64 + n, 48))), save=True)
    Outlet.objects.create(
        name="Municipal portal",
        kind=Outlet.Kind.WORDPRESS,
        endpoint=wordpress.url,
        username=wordpress.author.username,
        secret_encrypted=encrypt(wordpress.author.app_password),
        preselected=True,
    )
    with Broker.of_the_suite(tmp_path) as broker:
        doomed = start_worker(broker, PUBLICITY_FAILPOINT="wordpress.after_media_uploaded")
        sign_off(article, people)
        delivery = Delivery.objects.get(article=article)
        try:
            doomed.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("the worker did not reach the failpoint:\n" + stop(doomed))
        assert doomed.returncode == -9, stop(doomed)  # killed after WordPress stored the first photo
        assert Delivery.objects.get(pk=delivery.pk).remote_media == {}
        assert len(wordpress.media(search=delivery.marker)) == 1

        # Half a minute after the crash the lease has run out, so the sweeper, which runs every
        # 30 s, sends it within a minute of the crash.
        sweep_every = timedelta(seconds=settings.CELERY_BEAT_SCHEDULE["sweep-deliveries"]["schedule"])
        half_a_minute_later = timedelta(minutes=1) - sweep_every
        Delivery.objects.filter(pk=delivery.pk).update(lease_until=F("lease_until") - half_a_minute_later)
        worker = start_worker(broker)
        try:
            assert sweep() == 1
            wait_until(
                lambda: Delivery.objects.get(pk=delivery.pk).state == Delivery.State.DELIVERED,
                what="delivery",
            )
        finally:
            stop(worker)
    delivery.refresh_from_db()
    uploaded = wordpress.media(search=delivery.marker)
    assert len(uploaded) == 2  # one media item per photo
    assert {m["id"] for m in uploaded} == {m["id"] for m in delivery.remote_media.values()}
    [post] = wordpress.posts(slug=delivery.marker, status="any", context="edit")
    assert all(m["source_url"] in post["content"]["raw"] for m in uploaded)
    assert [a.outcome for a in delivery.attempts_log.all()] == ["interrupted", "delivered"]


def test_a_worker_killed_in_the_middle_of_a_batch_leaves_the_rest_to_go_out_once(
    school, people, receiver, webhook, tmp_path
):
    from django.db import transaction

    from outlets.actions import queue_deliveries
    from tests.outlets.test_batches import items

    revisions = items(school, people, 4)
    with Broker.of_the_suite(tmp_path) as broker:
        doomed = start_worker(broker, PUBLICITY_FAILPOINT="webhook.after_sent")
        with transaction.atomic():  # one transaction: one task for the four (outlets.actions.kick_all)
            for revision in revisions:
                queue_deliveries(revision.article, [webhook], revision=revision, by=people["director"])
        try:
            doomed.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("the worker did not reach the failpoint:\n" + stop(doomed))
        assert doomed.returncode == -9, stop(doomed)  # killed once the first was sent
        states = list(Delivery.objects.order_by("pk").values_list("state", flat=True))
        assert states == ["sending", "queued", "queued", "queued"]
        assert len(receiver.messages) == 1

        # Later: the first one's lease has run out; the sweeper kicks all four to a healthy worker.
        Delivery.objects.filter(state="sending").update(lease_until="2000-01-01T00:00Z")
        worker = start_worker(broker)
        try:
            assert sweep() == 4
            wait_until(
                lambda: not Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists(),
                what="deliveries",
            )
        finally:
            stop(worker)
    keys = {str(key) for key in Delivery.objects.values_list("uuid", flat=True)}
    assert set(receiver.messages) == keys and receiver.requests == 5  # the first one's repeat: same key
