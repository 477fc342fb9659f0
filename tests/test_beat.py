"""Two real beat processes against Redis: one sends, the other waits on the lock and takes over when
the first dies (celery-redbeat, README "More than one machine")."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from celery.schedules import schedule
from django.conf import settings
from redbeat import RedBeatSchedulerEntry

from tests.misbehaving import closed_port, redis_answers

ROOT = Path(__file__).resolve().parent.parent
SENT = "Sending due task test-ping"

pytestmark = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://"),
    reason="beat on several machines needs Redis: set CELERY_BROKER_URL=redis://…",
)


@pytest.fixture
def redbeat(tmp_path):
    """A key prefix of its own in the broker's Redis, with a task due every second on a queue no
    worker reads; removed afterwards."""
    url = settings.CELERY_BROKER_URL
    prefix = f"test-redbeat-{uuid.uuid4().hex[:8]}"
    app = Celery(broker=url, set_as_current=False)  # the eager app stays current for other tests
    app.conf.update(redbeat_redis_url=url, redbeat_key_prefix=prefix, redbeat_redis_options={})
    queue = f"{prefix}-queue"
    RedBeatSchedulerEntry(
        "test-ping", "publicity.ping", schedule(1.0), options={"queue": queue}, app=app
    ).save()
    env = {
        **os.environ,
        "DEBUG": "true",
        "CELERY_BROKER_URL": url,
        "REDBEAT_KEY_PREFIX": prefix,
        "REDBEAT_LOCK_TIMEOUT": "6",
    }
    yield env
    client = app.broker_connection().default_channel.client
    for key in [*client.scan_iter(f"{prefix}*"), *client.scan_iter(f"_kombu.*{queue}")]:
        client.delete(key)
    app.close()


def start_beat(env, log):
    command = [sys.executable, "-m", "celery", "-A", "publicity", "beat", "--loglevel=INFO"]
    command += ["--pidfile=", f"--schedule={log.with_suffix('.db')}"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def sends(log):
    return log.read_text().count(SENT)


def test_a_second_beat_waits_on_the_lock_and_takes_over(redbeat, tmp_path):
    log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
    beat_a = start_beat(redbeat, log_a)
    beat_b = None
    try:
        assert wait_for(lambda: sends(log_a) >= 1), log_a.read_text()
        beat_b = start_beat(redbeat, log_b)
        assert wait_for(lambda: "beat: Starting" in log_b.read_text()), log_b.read_text()
        before = sends(log_a)
        assert wait_for(lambda: sends(log_a) >= before + 3), log_a.read_text()
        assert sends(log_b) == 0, log_b.read_text()

        beat_a.send_signal(signal.SIGKILL)  # the machine is gone: its lock lapses, nobody releases it
        beat_a.wait(timeout=30)
        assert wait_for(lambda: sends(log_b) >= 1, seconds=60), log_b.read_text()
        assert "beat: Acquired lock" in log_b.read_text()
    finally:
        for beat in (beat_a, beat_b):
            if beat and beat.poll() is None:
                beat.terminate()
                beat.wait(timeout=30)


def test_beat_lives_through_a_redis_outage_and_sends_its_schedule_again(tmp_path):
    """A Redis of the test's own, keeping nothing on disk, is stopped under a running beat and started
    again empty: beat neither exits (redbeat's lock renewal raised and ended the process) nor stays
    silent on the empty schedule — it takes the lock again and installs the configured schedule."""
    port = closed_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    redis = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_for(lambda: redis_answers(port), 10)
    env = {
        **os.environ,
        "DEBUG": "true",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0",
        "REDBEAT_KEY_PREFIX": "outage",
        "REDBEAT_LOCK_TIMEOUT": "6",
        "BEAT_INTERVALS": "sweep-deliveries=1",
    }
    log = tmp_path / "beat.log"
    beat = start_beat(env, log)
    sweeps = lambda: log.read_text().count("Sending due task sweep-deliveries")  # noqa: E731
    try:
        assert wait_for(lambda: sweeps() >= 1), log.read_text()[-3000:]
        redis.terminate()
        redis.wait(10)
        time.sleep(8)  # longer than the lock's 6 s: beat ticks against a Redis that is gone
        assert beat.poll() is None, log.read_text()[-3000:]
        before = sweeps()
        redis = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(lambda: redis_answers(port), 10)
        assert wait_for(lambda: sweeps() > before, seconds=30), log.read_text()[-3000:]
    finally:
        beat.send_signal(signal.SIGTERM)
        beat.wait(20)
        redis.terminate()
        redis.wait(10)
