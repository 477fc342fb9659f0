"""Two machines on loopback (issue 14, README "More than one machine"): on each a web process, a worker
and a beat; they share PostgreSQL (this test's database), Redis (a redis-server of the test's own) and
an S3 server (moto), and no disk — each machine has a MEDIA_ROOT of its own that must stay empty.

An officer uploads on web A (which writes the renditions as it takes the photo); with worker A drained,
worker B makes the renditions again from the bucket once they are lost; the leader and the director
decide on web B; a worker delivers to a recording webhook receiver; and the active beat is killed: the
standby takes over within a minute. Nothing runs twice: the receiver counts what it was sent, and the
beats' logs show when each sent the sweeper, which the workers' logs show ran once per send.
"""

import itertools
import os
import re
import shutil
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from celery import Celery
from django.conf import global_settings
from django.db import connection

from accounts.models import Role, RoleAssignment, Unit, UnitClass, User
from chaos import services
from chaos.browser import CSRF, Browser
from chaos.harness import Hook
from chaos.office import PASSWORD, WEBHOOK_SECRET, webhook_outlet
from outlets.models import Delivery, DeliveryAttempt
from reviews.models import ReviewChain, ReviewStage, ReviewStep
from submissions.models import Category, Photo
from tests.outlets.test_promises import database_url, wait_until
from tests.submissions import corpus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="several machines share a PostgreSQL server"
    ),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server (CI has it)"),
]

# The sweeper is sent every 2 s instead of 15, so that the beats' logs show many sends; the lock
# beat holds keeps its production timeout (REDBEAT_LOCK_TIMEOUT, 30 s).
SWEEP_SECONDS = 2.0
TAKEOVER_SECONDS = 60
SENT = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}).*Sending due task sweep-deliveries", re.M)
VERSION = re.compile(r'name="version" value="(\d+)"')
UNIT = re.compile(r'name="unit" value="(\d+)"')
# What this process's environment may say about the services: the machines get their own.
PREFIXES = ("CELERY_", "DATABASE_", "REDIS_", "REDBEAT_", "EMAIL_", "BEAT_", "OUTLETS_", "MEDIA_", "SITE_URL")


class Machines:
    """The processes of machines A and B, started with an environment that shares only the services."""

    def __init__(self, tmp_path, storage_url):
        self.dir = tmp_path
        self.logs = tmp_path / "logs"
        self.logs.mkdir()
        self.redis = services.Redis(self.logs).start()
        self.broker = self.redis.url(0)
        self.storage_url = storage_url
        self.ports = {"A": services.free_port(), "B": services.free_port()}
        self.processes = []
        self.browsers = []

    def env(self, machine):
        keep = {k: v for k, v in os.environ.items() if not k.startswith(PREFIXES)}
        return keep | {
            "DJANGO_SETTINGS_MODULE": "publicity.settings",
            "DEBUG": "true",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.broker,
            "REDIS_URL": self.redis.url(1),
            "MEDIA_STORAGE_URL": self.storage_url,
            "MEDIA_ROOT": str(self.media_root(machine)),
            "EMAIL_URL": "dummymail://",
            "OUTLETS_ALLOW_LOOPBACK": "true",
            "OUTLET_CREDENTIAL_KEYS": services.CREDENTIAL_KEY,
            "SITE_URL": self.url("A"),  # the address outside, where a load balancer would be
            "BEAT_INTERVALS": f"sweep-deliveries={SWEEP_SECONDS}",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }

    def media_root(self, machine):
        return self.dir / f"machine-{machine}" / "media"

    def start(self, process):
        self.processes.append(process)
        return process.start()

    def url(self, machine):
        return f"http://127.0.0.1:{self.ports[machine]}"

    def web(self, machine):
        port = self.ports[machine]
        self.start(services.web(self.env(machine), port, name=f"web-{machine}", logs=self.logs, workers=1))
        return port

    def worker(self, machine):
        process = services.worker(
            self.env(machine), machine, concurrency=1, logs=self.logs, loglevel="INFO", host="scaleout"
        )
        return self.start(process)

    def beat(self, machine):
        return self.start(services.beat(self.env(machine), f"beat-{machine}", logs=self.logs))

    def receiver(self):
        port = services.free_port()
        hook = Hook("scaleout", port, directory=self.dir)
        process = services.receiver(
            self.env("A"), port, WEBHOOK_SECRET, hook.control, hook.log, logs=self.logs
        )
        self.start(process)
        return hook

    def browser(self, machine, username, **session):
        """A person at this machine's web process; signed in unless given a session's cookies."""
        browser = Browser(self.url(machine), username, **session)
        self.browsers.append(browser)
        return browser if session else browser.sign_in()

    def stop(self):
        for browser in self.browsers:  # open keep-alive connections would hold gunicorn's shutdown up
            browser.close()
        with ThreadPoolExecutor(len(self.processes) or 1) as pool:  # a machine's shutdown is its own
            list(pool.map(lambda process: process.stop(timeout=10), self.processes))
        self.redis.stop()

    def client(self):
        """A Celery client of the machines' broker. Celery prefers CELERY_BROKER_URL from the environment
        (this process's names another Redis) to broker=, but not to the read and write URLs."""
        url = self.broker
        return Celery(
            "scaleout-client", broker=url, broker_read_url=url, broker_write_url=url, set_as_current=False
        )


@pytest.fixture
def machines(tmp_path, s3_media, settings):
    machines = Machines(tmp_path, settings.MEDIA_STORAGE_URL)
    yield machines
    machines.stop()
    for log in sorted(machines.logs.glob("*.log")):  # shown only if the test failed
        print(f"--- {log.name}", *log.read_text(errors="replace").splitlines()[-25:], sep="\n")


@pytest.fixture
def category(settings):
    """Units, people who sign in with PASSWORD, the default chain (leader, then director), a category."""
    # The web processes check passwords with the project's hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    settings.OUTLET_CREDENTIAL_KEYS = [services.CREDENTIAL_KEY]
    office = Unit.objects.create(name="Scale-out office")
    school = Unit.objects.create(
        name="Scale-out school", parent=office, unit_class=UnitClass.objects.create(name="Schools")
    )
    for username, role, unit in [
        ("officer", Role.LIAISON_OFFICER, school),
        ("leader", Role.LEADER_IN_CHARGE, school),
        ("director", Role.OFFICE_DIRECTOR, office),
    ]:
        user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@x.invalid")
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    chain = ReviewChain.objects.create(name="Standard", is_default=True)
    for order, role in enumerate([Role.LEADER_IN_CHARGE, Role.OFFICE_DIRECTOR], start=1):
        ReviewStage.objects.create(chain=chain, order=order, name=role.label, reviewer_role=role)
    return Category.objects.create(name="School news")


def fields(category):
    body = "<p>" + "Pupils ran, jumped and cheered all afternoon on the new track. " * 4 + "</p>"
    return {
        "title": "Sports day on two machines",
        "body": body,
        "category": category.pk,
        "event_date": "2026-11-20",
    }


def write_item(officer, category):
    """The officer's new item, saved as a draft over HTTP; returns its id."""
    page = officer.client.get("/submissions/new/")
    page.raise_for_status()
    answer = officer.client.post(
        "/submissions/new/",
        data={
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
            "client_key": str(uuid.uuid4()),
            "unit": UNIT.search(page.text).group(1),
            "version": VERSION.search(page.text).group(1),
            **fields(category),
        },
        headers={"Referer": f"{officer.base_url}/submissions/new/"},
    )
    assert answer.status_code == 302, answer.text
    return int(re.search(r"/submissions/(\d+)/edit/", answer.headers["location"]).group(1))


def upload_photo(officer, article_id):
    page = officer.client.get(f"/submissions/{article_id}/edit/")
    answer = officer.client.post(
        f"/submissions/{article_id}/photos/",
        data={"csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
        files={"photo": ("IMG_1.jpg", corpus.jpeg(), "image/jpeg")},
        headers={
            "Accept": "application/json",
            "Referer": f"{officer.base_url}/submissions/{article_id}/edit/",
        },
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def submit(officer, article_id, photo_id, category):
    """Caption the photo, save and submit, as the edit form's "Submit" button does."""
    edit = f"/submissions/{article_id}/edit/"
    page = officer.client.get(edit)
    answer = officer.client.post(
        edit,
        data={
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
            "version": VERSION.search(page.text).group(1),
            **fields(category),
            f"photo-{photo_id}-caption": "The relay",
            "action": "submit",
        },
        headers={"Referer": f"{officer.base_url}{edit}"},
    )
    assert answer.status_code == 302 and "/submit/" in answer.headers["location"], answer.text
    checks = officer.client.get(answer.headers["location"])
    answer = officer.client.post(
        f"/reviews/items/{article_id}/submit/",
        data={
            "csrfmiddlewaretoken": CSRF.search(checks.text).group(1),
            "version": VERSION.search(checks.text).group(1),
        },
        headers={"Referer": f"{officer.base_url}/reviews/items/{article_id}/submit/"},
    )
    assert answer.status_code == 302, answer.text


def pending_step(article_id):
    return ReviewStep.objects.get(article_id=article_id, decision="pending").pk


def tasks_run(log, task):
    """Ids of the runs of `task` that a worker's INFO log reports finished."""
    return re.findall(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] succeeded", log)


def sends(log):
    return [datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f") for stamp in SENT.findall(log)]


def test_two_machines_share_the_work_and_one_beat_sends(machines, category, s3_media):
    s3, bucket, _ = s3_media
    hook = machines.receiver()
    outlet = webhook_outlet("Loopback webhook", f"http://127.0.0.1:{hook.port}/hook")
    port_a, port_b = machines.web("A"), machines.web("B")
    worker_a, worker_b = machines.worker("A"), machines.worker("B")
    beat_a = machines.beat("A")
    for port in (port_a, port_b, hook.port):
        services.wait_for_port(port, timeout=60)
    for worker in (worker_a, worker_b):
        wait_until(lambda w=worker: " ready." in w.output(), 60, f"{worker.name} to be ready")
    # B's beat starts once A's holds the lock and sends, so that A is the active one.
    wait_until(lambda: sends(beat_a.output()), 60, "beat A to send")
    beat_b = machines.beat("B")

    # An officer writes an item and uploads a photo on web A: the upload stores the original and
    # makes its renditions from the one decode, into the bucket.
    officer = machines.browser("A", "officer")
    article_id = write_item(officer, category)
    photo_id = upload_photo(officer, article_id)
    photo = Photo.objects.get(pk=photo_id)
    stored = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert {photo.original.name, photo.thumbnail.name, photo.display.name} <= stored

    # Renditions the upload did not leave (lost, or a photo from before renditions were made at upload)
    # are made by whichever worker takes the task: A is drained, so B makes them, from the bucket.
    for rendition in (photo.thumbnail, photo.display):
        rendition.delete(save=False)
    Photo.objects.filter(pk=photo_id).update(thumbnail="", display="")
    client = machines.client()
    try:
        assert client.control.cancel_consumer("celery", destination=["A@scaleout"], reply=True, timeout=10)
        client.send_task("submissions.make_photo_renditions", args=[photo_id])
        wait_until(lambda: Photo.objects.get(pk=photo_id).has_renditions, 60, "worker B's renditions")
        assert client.control.add_consumer("celery", destination=["A@scaleout"], reply=True, timeout=10)
    finally:
        client.close()
    assert len(tasks_run(worker_b.output(), "submissions.make_photo_renditions")) == 1
    assert not tasks_run(worker_a.output(), "submissions.make_photo_renditions")
    photo = Photo.objects.get(pk=photo_id)
    assert s3.head_object(Bucket=bucket, Key=photo.thumbnail.name)["ContentLength"] > 0
    # The officer's session, signed in on A, serves the rendition on B: no machine keeps anything.
    on_b = machines.browser("B", "officer", cookies=officer.client.cookies)
    thumbnail = on_b.client.get(f"/submissions/{article_id}/photos/{photo_id}/thumbnail/")
    assert thumbnail.status_code == 200 and thumbnail.content[:2] == b"\xff\xd8"

    # Submitted on A; the leader approves and the director signs off on web B.
    submit(officer, article_id, photo_id, category)
    leader = machines.browser("B", "leader")
    assert leader.approve(pending_step(article_id), [])[0] == "approved"
    director = machines.browser("B", "director")
    assert director.approve(pending_step(article_id), [outlet.pk])[0] == "approved"

    # A worker delivers, once.
    delivery = Delivery.objects.get(article_id=article_id, outlet=outlet)
    wait_until(lambda: Delivery.objects.get(pk=delivery.pk).state == Delivery.State.DELIVERED, 60, "delivery")
    wait_until(lambda: hook.received(), 10, "the receiver's record")
    assert hook.received() == Counter({hook.requests()[0]["id"]: 1})
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1
    for machine in ("A", "B"):
        assert not machines.media_root(machine).exists(), f"machine {machine} wrote media to its disk"

    # Until now B's beat stood by. A's is killed, as when its machine is lost: the lock is not released
    # but lapses, and B's beat takes it.
    wait_until(lambda: len(sends(beat_a.output())) >= 3, 30, "A's beat to send a few times")
    assert not sends(beat_b.output()), "B's beat sent while A's held the lock"
    beat_a.kill()
    wait_until(lambda: sends(beat_b.output()), TAKEOVER_SECONDS, "the standby beat to send")
    wait_until(lambda: len(sends(beat_b.output())) >= 2, 10, "the standby beat to send again")

    # Never two beats at once: the sweeper's sends, A's then B's, are an interval apart or more;
    # each sweep sent ran on one worker, once (a sweep is logged as sent before it can run).
    def sweeps_run():
        return tasks_run(worker_a.output(), "outlets.sweep") + tasks_run(worker_b.output(), "outlets.sweep")

    sent = len(sends(beat_a.output()) + sends(beat_b.output()))
    wait_until(lambda: len(sweeps_run()) >= sent, 30, "every sweep sent to run")
    runs = Counter(sweeps_run())
    times = sends(beat_a.output()) + sends(beat_b.output())
    assert times == sorted(times), "B's beat sent while A's was active"
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= SWEEP_SECONDS / 2, gaps
    assert set(runs.values()) == {1} and sum(runs.values()) <= len(times), runs
