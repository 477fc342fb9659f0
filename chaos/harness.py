"""What every scenario shares: the private services, the environment of our processes, the web
process and its people, the WordPress peer, waiting for deliveries, and one line of the table."""

import json
import os
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import services
from .services import LOGS, VAR

SCALE = float(os.environ.get("CHAOS_SCALE", "1") or 1)
DRAIN_SECONDS = float(os.environ.get("CHAOS_DRAIN_SECONDS", "150"))


def scaled(n, minimum=1):
    return max(minimum, round(n * SCALE))


@dataclass
class Line:
    scenario: str
    items: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    timing: str = ""
    notes: list = field(default_factory=list)
    skipped: bool = False
    late: bool = False  # a promised time was missed (e.g. sent again within a minute of a crash)

    @property
    def failed(self):
        """A loss, a duplicate, a missed time, or a scenario that could not run (a skip must not pass
        as clean)."""
        return self.lost > 0 or self.duplicated > 0 or self.skipped or self.late


class Run:
    """Started once for the whole suite: PostgreSQL, Redis, the web process."""

    def __init__(self):
        LOGS.mkdir(parents=True, exist_ok=True)
        self.pg = services.PostgreSQL()
        self.redis = services.Redis()
        self.web_port = services.free_port()
        self.base_url = f"http://127.0.0.1:{self.web_port}"
        self.processes = []

    def env(self, **extra):
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CELERY_", "DATABASE_", "REDIS_", "EMAIL_", "BEAT_", "OUTLETS_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="publicity.settings",
            # As in production, so that a fault shows what people would see (a database restart: the
            # 503 page, not Django's debug page), except that it is served over plain http on loopback.
            DEBUG="false",
            SECRET_KEY="chaos-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            SECURE_HSTS_SECONDS="0",
            STATIC_ROOT=str(VAR / "static"),
            DATABASE_URL=self.pg.url,
            CELERY_BROKER_URL=self.redis.url(0),
            REDIS_URL=self.redis.url(1),
            EMAIL_URL="dummymail://",
            OUTLETS_ALLOW_LOOPBACK="true",
            OUTLET_CREDENTIAL_KEYS=services.CREDENTIAL_KEY,
            MEDIA_ROOT=str(VAR / "media"),
            SITE_URL=self.base_url,
            AXES_FAILURE_LIMIT="1000",
            REPORTS_REMIND_DAYS_BEFORE_MONTH_END="31",
            PYTHONUNBUFFERED="1",
            LOG_LEVEL="WARNING",
        )
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def start(self):
        self.pg.start()
        self.redis.start()
        os.environ.update(self.env())  # this process too: it writes the office's data
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)  # DEBUG off: served from STATIC_ROOT
        self.web = self.spawn(services.web(self.env(), self.web_port))
        services.wait_for_port(self.web_port, timeout=60)
        return self

    def spawn(self, process):
        self.processes.append(process)
        return process.start()

    def worker(self, name, concurrency=2, **env):
        return self.spawn(services.worker(self.env(**env), name, concurrency))

    def beat(self, name, **env):
        return self.spawn(services.beat(self.env(**env), name))

    def receiver(self, name):
        """A recording webhook receiver of its own and its outlet."""
        from .office import WEBHOOK_SECRET, webhook_outlet

        port = services.free_port()
        hook = Hook(name, port)
        self.spawn(services.receiver(self.env(), port, WEBHOOK_SECRET, hook.control, hook.log))
        services.wait_for_port(port)
        hook.outlet = webhook_outlet(f"Chaos webhook {name}", f"http://127.0.0.1:{port}/hook")
        return hook

    def stop(self):
        for process in reversed(self.processes):
            process.stop(timeout=10)
        self.redis.stop()
        self.pg.stop()


class Hook:
    """The control and record files of one recording receiver (chaos.hook)."""

    def __init__(self, name, port, directory=VAR):
        self.port = port
        self.control = directory / f"hook-{name}.json"
        self.log = directory / f"hook-{name}.log"
        self.control.write_text("{}")
        self.log.write_text("")
        self.outlet = None

    def script(self, **control):
        self.control.write_text(json.dumps(control))

    def requests(self):
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]

    def received(self):
        """webhook-id → how many times it was answered 200."""
        return Counter(r["id"] for r in self.requests() if r["status"] == 200)


def db(fn, timeout=60.0):
    """fn() against the database, reconnecting while PostgreSQL restarts."""
    from django.db import InterfaceError, OperationalError, connection

    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except (OperationalError, InterfaceError):
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def delivery_states(article_ids):
    from outlets.models import Delivery

    rows = Delivery.objects.filter(article_id__in=article_ids).values_list("state", flat=True)
    return Counter(db(lambda: list(rows)))


def drain(article_ids, expected, deadline_seconds):
    """Wait until `expected` deliveries of these items are delivered, at most deadline_seconds.
    Returns (seconds it took or None, the states at the end)."""
    started = time.monotonic()
    while True:
        states = delivery_states(article_ids)
        if states.get("delivered", 0) >= expected:
            return time.monotonic() - started, states
        if time.monotonic() - started > deadline_seconds:
            return None, states
        time.sleep(0.5)


def describe(states):
    return ", ".join(f"{n} {state}" for state, n in sorted(states.items()))


def wordpress_peer():
    """The real WordPress (tests/peers/wordpress/setup.sh), or None with the reason."""
    from tests.peers.wordpress_fixture import Account, WordPressPeer, peer_file

    path = Path(os.environ.get("WORDPRESS_PEER_FILE") or peer_file())
    if not path.exists():
        return None, f"no {path}: run tests/peers/wordpress/setup.sh (or set WORDPRESS_PEER_FILE)"
    facts = json.loads(path.read_text())
    peer = WordPressPeer(facts["url"], Account(**facts["author"]), Account(**facts["editor"]))
    deadline = time.monotonic() + float(os.environ.get("CHAOS_WORDPRESS_WAIT", "300"))
    while True:  # CI may still be installing it
        try:
            if peer.request("GET", "/", account=None).status_code == 200:
                return peer, ""
        except Exception:
            pass
        if time.monotonic() > deadline:
            return None, f"WordPress at {facts['url']} does not answer"
        time.sleep(2)


SLUG = re.compile(r"^(pd-[0-9a-f-]{36})(?:-\d+)?$")
MEDIA = re.compile(r"^photo-(\d+)(?:-\d+)?$")
MEDIA_MARKED = re.compile(r"^(pd-[0-9a-f-]{36})-([0-9a-f]{64})(?:-\d+)?$")


class WordPressWatch:
    """Every post and media item created on the shared WordPress after the start, as seen every couple
    of seconds: other test runs' fixtures delete whatever was created while they ran, so what exists
    at the end is not enough. Keeps id → slug for everything it has ever seen."""

    def __init__(self, peer, interval=1.0):
        self.peer = peer
        self.interval = interval
        self.mark = peer._newest_id()
        self.posts, self.media = {}, {}
        self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=120)
        self.look()  # once more, after the last delivery

    def _watch(self):
        while not self._stop.wait(self.interval):
            self.look()

    def look(self):
        from tests.peers.wordpress_fixture import ALL_POST_STATUSES

        try:
            self.posts.update(self._newer("/wp/v2/posts", {"status": ALL_POST_STATUSES}))
            self.media.update(self._newer("/wp/v2/media", {}))
        except Exception:
            self.errors += 1

    def _newer(self, route, params):
        found = {}
        for item in self.peer._each(route, params, order="desc"):
            if item["id"] <= self.mark:
                break
            found[item["id"]] = item["slug"].removesuffix("__trashed")
        return found
