"""A real Celery worker process takes a task from the configured broker and answers it.

Against Redis when CELERY_BROKER_URL names it (CI), else the embedded filesystem broker that
`make run` uses.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from celery.result import allow_join_result
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def broker(tmp_path):
    url = settings.CELERY_BROKER_URL
    env = {"CELERY_BROKER_URL": url}
    if url.startswith("redis://"):
        backend = url
        options = {}
    else:
        queue_dir = tmp_path / "queue"
        queue_dir.mkdir()
        env["CELERY_QUEUE_DIR"] = str(queue_dir)
        backend = f"file://{tmp_path / 'results'}"
        (tmp_path / "results").mkdir()
        options = {
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "control_folder": str(tmp_path / "control"),
        }
    env["CELERY_RESULT_BACKEND"] = backend
    # not the current app: the tasks our actions queue in other tests must still find the eager one
    return env, Celery(broker=url, backend=backend, broker_transport_options=options, set_as_current=False)


def test_a_real_worker_process_runs_a_task(broker, tmp_path):
    worker_env, client = broker
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, **worker_env, "DEBUG": "true"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "publicity",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = client.send_task("publicity.ping", queue=queue)
        # The "inside a task" flag is process-wide: an eager task still running in another test's thread
        # would make get() refuse. This test is the client, never inside a task.
        with allow_join_result():
            assert result.get(timeout=60) == "pong"
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        client.close()
    assert "publicity.ping" in output


@pytest.mark.django_db(transaction=True)  # outside a test transaction, as in a worker
def test_a_worker_keeps_its_database_connection_from_one_task_to_the_next(monkeypatch):
    from celery.fixups.django import DjangoWorkerFixup
    from django.db import connection

    from publicity.celery import app
    from publicity.tasks import ping

    fixup = DjangoWorkerFixup(app)  # what a worker process installs around each task
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)  # production's (not SQLite's dev)
    connection.close()
    connection.ensure_connection()
    opened = connection.connection
    for _ in range(3):
        fixup.on_task_prerun(sender=ping)
        ping.before_start("task-id", (), {})
        ping.after_return("SUCCESS", "pong", "task-id", (), {}, None)
        fixup.on_task_postrun(sender=ping)

    assert connection.connection is opened


@pytest.mark.django_db(transaction=True)
def test_a_worker_replaces_a_database_connection_older_than_conn_max_age_before_a_task():
    import time

    from django.db import connection

    from publicity.tasks import ping

    connection.ensure_connection()
    connection.close_at = time.monotonic() - 1  # CONN_MAX_AGE has passed

    ping.before_start("task-id", (), {})

    assert connection.connection is None  # the next query opens a new one
