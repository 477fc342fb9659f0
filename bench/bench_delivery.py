"""Sign-off → delivered latency and deliveries per second with one worker process, to a loopback
webhook receiver; next to a plain httpx loop posting the same signed payloads (the ceiling).

Two figures for one process: the delivery loop itself (run_delivery, one delivery after another, with
the SQL statements each takes) and a Celery worker fed through the broker, whose own overhead (the
embedded filesystem broker polls) it includes. The receiver runs in a process of its own, as an
outlet does: in this one it would share the interpreter lock with the sender and narrow the gap."""

import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import Role, RoleAssignment, Unit, User
from outlets.actions import claim, queue_deliveries, run_delivery
from outlets.adapters.base import payload
from outlets.adapters.webhook import sign
from outlets.credentials import encrypt
from outlets.models import Delivery, Outlet
from publicity.celery import app, reconnect
from reports.models import Recount
from reviews import actions as reviews
from reviews.models import ReviewChain, ReviewStage, ReviewStep
from submissions.models import Article, Category, Revision

COMMITTED = True  # worker processes must see the data: not run in a rolled-back transaction
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
LATENCY_SAMPLES = 30
THROUGHPUT_ITEMS = 300
ROOT = Path(__file__).resolve().parent.parent
QUEUE = "bench-delivery"  # its own queue: messages other runs left in a shared Redis cannot interfere


def run(report):
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    receiver = _Receiver()
    people, outlet = _office(receiver)
    ceiling = _httpx_ceiling(receiver.url, _payload(people, outlet))
    in_process, statements, round_trips, commits, cpu = _in_process(people, outlet)
    commit_ms = _durable_commit(outlet)
    with tempfile.TemporaryDirectory() as folder:
        worker = _start_worker(folder)
        try:
            latencies = [_sign_off_and_wait(people, outlet) for _ in range(LATENCY_SAMPLES)]
            per_second = _throughput(people, outlet, together=True)
            one_by_one = _throughput(people, outlet, together=False)
        finally:
            worker.terminate()
            worker.communicate(timeout=30)
            _restore_broker()
    receiver.stop()
    report("broker", 0, app.conf.broker_url.split(":")[0])
    report("sign-off → delivered, p50", statistics.median(latencies) * 1000, "ms")
    report("sign-off → delivered, p95", statistics.quantiles(latencies, n=20)[-1] * 1000, "ms")
    report("plain httpx loop, same signed payloads", ceiling, "/s")
    report("deliveries per second, one process (run_delivery)", in_process, "/s")
    report("ratio one process / ceiling (target ≥ 0.25)", in_process / ceiling, "")
    report("SQL statements per delivery (target ≤ 6)", statements, "")
    report("database round trips per delivery", round_trips, "")
    report("CPU time per delivery, sending thread", cpu * 1000, "ms")
    report("one commit that waits for the disk, this database", commit_ms, "ms")
    if connection.vendor == "sqlite":  # PostgreSQL's claim is one implicit transaction, unseen here
        report("transactions per delivery", commits, "")
    report("deliveries per second, one Celery worker, a backlog queued at once", per_second, "/s")
    report("ratio Celery worker, backlog / ceiling (target ≥ 0.25)", per_second / ceiling, "")
    report("deliveries per second, one Celery worker, a task a sign-off", one_by_one, "/s")
    report("ratio Celery worker, a task a sign-off / ceiling", one_by_one / ceiling, "")


class _Receiver:
    """outlets.receiver in a process of its own."""

    def __init__(self):
        command = [sys.executable, "-m", "outlets.receiver", "--port", "0", "--secret", SECRET]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().split()[-1]  # "Webhook receiver on <url>"

    def stop(self):
        self.process.terminate()
        self.process.communicate(timeout=30)


def _office(receiver):
    office = Unit.objects.create(name="Delivery bench office")
    school = Unit.objects.create(name="Delivery bench school", parent=office)
    people = {
        name: User.objects.create(username=f"delivery-bench-{name}")
        for name in ("officer", "leader", "director")
    }
    RoleAssignment.objects.create(user=people["officer"], role=Role.LIAISON_OFFICER, unit=school)
    RoleAssignment.objects.create(user=people["leader"], role=Role.LEADER_IN_CHARGE, unit=school)
    RoleAssignment.objects.create(user=people["director"], role=Role.OFFICE_DIRECTOR, unit=office)
    chain, _ = ReviewChain.objects.get_or_create(name="Delivery bench chain")
    chain.units.add(school)
    ReviewStage.objects.create(chain=chain, order=1, name="Director", reviewer_role=Role.OFFICE_DIRECTOR)
    people["school"] = school
    outlet = Outlet.objects.create(
        name="Delivery bench receiver",
        kind=Outlet.Kind.WEBHOOK,
        endpoint=receiver.url,
        secret_encrypted=encrypt(SECRET),
        max_concurrency=4,
    )
    return people, outlet


def _start_worker(folder):
    url = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
    env = {
        **os.environ,
        # as in production: with DEBUG on, Django times and keeps the text of every statement
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + os.urandom(24).hex(),
        "OUTLET_CREDENTIAL_KEYS": ",".join(_credential_keys()),  # the ones this process encrypted with
        "CELERY_BROKER_URL": url,
        "DATABASE_URL": _database_url(),
        "OUTLETS_ALLOW_LOOPBACK": "true",
        "CELERY_QUEUE_DIR": folder,
    }
    options = {"data_folder_in": folder, "data_folder_out": folder, "control_folder": folder + "-control"}
    app.conf.task_always_eager = False
    app.conf.task_default_queue = QUEUE
    app.conf.broker_write_url = url
    app.conf.broker_transport_options = options if url.startswith("filesystem") else {}
    reconnect()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "publicity",
            "worker",
            "-Q",
            QUEUE,
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(3)  # let it connect
    return worker


def _credential_keys():
    from outlets.credentials import _keys

    return _keys()


def _restore_broker():
    app.conf.task_always_eager = True
    app.conf.task_default_queue = "celery"
    app.conf.broker_write_url = None
    reconnect()


def _database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


def _article(people, n):
    return Article.objects.create(
        unit=people["school"],
        author=people["officer"],
        last_editor=people["officer"],
        title=f"Bench item {n}",
        body="<p>Body</p>",
        category=Category.objects.get_or_create(name="Delivery bench news")[0],
        event_date="2026-11-20",
    )


def _sign_off_and_wait(people, outlet):
    article = _article(people, time.monotonic_ns())
    reviews.submit_for_review(article, base_version=article.version, by=people["officer"])
    # The worker first does what the submission asked for (its figures take most of a second here):
    # a sign-off comes later than that, not in the same instant.
    while Recount.objects.exists():
        time.sleep(0.01)
    time.sleep(0.05)
    step = ReviewStep.objects.get(article=article, decision="pending")
    reviews.approve(step, by=people["director"], revision_id=step.revision_id, outlets=[outlet])
    signed_off = time.monotonic()
    delivery = Delivery.objects.get(article=article)
    while (
        Delivery.objects.filter(pk=delivery.pk).values_list("state", flat=True)[0] != Delivery.State.DELIVERED
    ):
        time.sleep(0.005)
    return time.monotonic() - signed_off


def _throughput(people, outlet, *, together):
    """Deliveries a second through the worker, from the first kick to the last delivery (the worker's
    clock: delivered_at): `together`, queued in one transaction, as a backlog is kicked (a task for
    every ten: outlets.actions.kick_all); otherwise each in a transaction of its own, as sign-offs
    come one at a time (a task each; this process queues them faster than the worker sends)."""
    articles = [_article(people, f"{together}-{n}") for n in range(THROUGHPUT_ITEMS)]
    revisions = [
        Revision.objects.create(
            article=a, number=1, title=a.title, body=a.body, content_hash="x", created_by=people["officer"]
        )
        for a in articles
    ]
    pairs = list(zip(articles, revisions, strict=True))
    kicked = []
    if together:
        with transaction.atomic():
            transaction.on_commit(lambda: kicked.append(time.time()))  # runs just before the kicks
            for article, revision in pairs:
                queue_deliveries(article, [outlet], revision=revision, by=people["director"])
    else:
        kicked.append(time.time())  # before the first sign-off's transaction
        for article, revision in pairs:
            with transaction.atomic():
                queue_deliveries(article, [outlet], revision=revision, by=people["director"])
    deliveries = Delivery.objects.filter(article__in=articles)
    while deliveries.exclude(state=Delivery.State.DELIVERED).exists():
        time.sleep(0.05)
    last = deliveries.aggregate(last=Max("delivered_at"))["last"].timestamp()
    return THROUGHPUT_ITEMS / (last - kicked[0])


def _in_process(people, outlet):
    """One delivery after another in this process, as a worker runs them. Each delivery is queued just
    before it is sent (not timed), so that no other is waiting and nothing is kicked on the side. Timed
    as production runs (DEBUG off: Django neither times nor keeps each statement); a second, shorter
    pass counts the statements."""
    revision = _revision(people, "in-process")
    for _ in range(10):  # warm up: connections, caches, the statements' text
        run_delivery(_queued(people, outlet, revision).pk)
    spent, cpu = 0.0, 0.0
    with override_settings(DEBUG=False):
        for _ in range(THROUGHPUT_ITEMS):
            delivery = _queued(people, outlet, revision)
            started, started_cpu = time.perf_counter(), time.thread_time()
            run_delivery(delivery.pk)
            spent += time.perf_counter() - started
            cpu += time.thread_time() - started_cpu
    statements, round_trips, commits, counted = 0, 0, 0, 50
    for _ in range(counted):
        delivery = _queued(people, outlet, revision)
        with CaptureQueriesContext(connection) as queries:
            run_delivery(delivery.pk)
        sql = [q["sql"] for q in queries]
        sent = [s for s in sql if not s.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
        statements += sum(_statements(s) for s in sent)
        round_trips += len(sql)  # BEGIN and COMMIT show as queries too; statements sent together once
        commits += sum(s.startswith(("BEGIN", "SAVEPOINT")) for s in sql)
    assert not Delivery.objects.filter(revision=revision).exclude(state=Delivery.State.DELIVERED).exists()
    n = THROUGHPUT_ITEMS
    return n / spent, statements / counted, round_trips / counted, commits / counted, cpu / n


def _statements(sql):
    """SQL statements in one execution: several may be sent at once, separated by semicolons."""
    return 1 + len(re.findall(r";\s*(?:SELECT|UPDATE|INSERT|DELETE|WITH|EXECUTE)\b", sql))


def _durable_commit(outlet, repeat=100):
    """Milliseconds for one small transaction that waits for the disk (as a claim does): the floor
    under one delivery's time, whatever the code does."""
    started = time.perf_counter()
    for n in range(repeat):
        with transaction.atomic():
            Outlet.objects.filter(pk=outlet.pk).update(max_concurrency=outlet.max_concurrency + n % 2)
    Outlet.objects.filter(pk=outlet.pk).update(max_concurrency=outlet.max_concurrency)
    return (time.perf_counter() - started) / repeat * 1000


def _revision(people, name):
    return Revision.objects.create(
        article=_article(people, name),
        number=1,
        title="t",
        body="b",
        content_hash="x",
        created_by=people["officer"],
    )


def _queued(people, outlet, revision):
    return Delivery.objects.create(
        article=revision.article, revision=revision, outlet=outlet, created_by=people["director"]
    )


def _payload(people, outlet):
    """What the delivery loop sends: the webhook adapter's payload of a bench item."""
    revision = _revision(people, "ceiling")
    delivery, _ = claim(_queued(people, outlet, revision).pk)
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.CANCELLED, lease_until=None)
    return payload(delivery)


def _httpx_ceiling(url, data):
    """Posts per second of a plain loop: the same payload, encoded and signed for each request as
    the adapter does, through one client; after a warm-up."""

    def post(client, message_id):
        body = json.dumps(data | {"delivery": message_id}, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": sign(SECRET, message_id, timestamp, body),
        }
        client.post(url, content=body, headers=headers).raise_for_status()

    with httpx.Client(timeout=10) as client:
        for n in range(10):
            post(client, f"ceiling-warm-up-{n}")
        started = time.perf_counter()
        for n in range(THROUGHPUT_ITEMS):
            post(client, f"ceiling-{n}")
        return THROUGHPUT_ITEMS / (time.perf_counter() - started)
