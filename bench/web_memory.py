"""Memory of gunicorn's workers after photo uploads and page requests (issue 14: ≤ 200 MB each).

gunicorn with two sync workers and DEBUG off serves the pages bench's database; an officer signs in
through the login form and uploads 12 MP JPEGs through the upload endpoint, then the officer and the
office director open the pages. Each worker's resident size (VmRSS) and peak (VmHWM) are read from
/proc. The embedded broker gets a folder of its own, so no other worker picks up what is queued.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from django.contrib.auth import get_user_model

from accounts.models import Unit
from bench import dataset
from bench.bench_photo_ingest import phone_jpeg
from submissions import actions
from submissions.models import Photo

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
UPLOADS = 6
PAGE_ROUNDS = 2
TARGET_MB = 200


def run(report, database_url, landmarks, pages):
    users = get_user_model().objects.filter(username__in=[landmarks.officer, landmarks.director])
    for user in users:
        user.set_password(dataset.PASSWORD)
        user.save(update_fields=["password"])
    officer = next(u for u in users if u.username == landmarks.officer)
    unit = Unit.objects.get(pk=landmarks.unit_id)
    draft = actions.create_draft(unit=unit, client_key=dataset.UPLOAD_DRAFT, by=officer)
    with tempfile.TemporaryDirectory() as folder:
        env = _environment(Path(folder), database_url)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        port = _free_port()
        master = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "publicity.wsgi",
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base)
            _exercise(base, landmarks, draft.pk, pages, report)
            workers = _worker_memory(master.pid)
            for n, (rss, peak) in enumerate(workers, start=1):
                report(f"gunicorn worker {n}: resident (VmRSS; target ≤ {TARGET_MB})", rss / 1024, "MB")
                report(f"gunicorn worker {n}: peak (VmHWM)", peak / 1024, "MB")
            largest = max(rss for rss, _ in workers) / 1024
            print(f"   gunicorn workers ≤ {TARGET_MB} MB: {'PASS' if largest <= TARGET_MB else 'MISS'}")
        finally:
            master.terminate()
            master.wait(timeout=60)
            Photo.objects.filter(article=draft).delete()  # their files went with the folder


def _environment(folder, database_url):
    (folder / "queue").mkdir()
    (folder / "control").mkdir()
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "MEDIA_STORAGE_URL": "",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_QUEUE_DIR": str(folder / "queue"),
    }


def _exercise(base, landmarks, draft_id, pages, report):
    photo = phone_jpeg()
    with (
        httpx.Client(base_url=base, timeout=300) as officer,
        httpx.Client(base_url=base, timeout=300) as director,
    ):
        _sign_in(officer, landmarks.officer)
        _sign_in(director, landmarks.director)
        started = time.perf_counter()
        for n in range(UPLOADS):
            response = officer.post(
                f"/submissions/{draft_id}/photos/",
                files={"photo": (f"IMG_{n:04d}.jpg", photo, "image/jpeg")},
                headers={
                    "X-CSRFToken": officer.cookies["csrftoken"],
                    "Accept": "application/json",
                    "Referer": f"{base}/submissions/{draft_id}/edit/",
                },
            )
            response.raise_for_status()
        report(
            f"{UPLOADS} uploads of a 12 MP JPEG ({len(photo) / 1e6:.1f} MB), each",
            (time.perf_counter() - started) * 1000 / UPLOADS,
            "ms",
        )
        for _ in range(PAGE_ROUNDS):
            for page in pages:
                client = officer if page.user == landmarks.officer else director
                if page.user in (landmarks.officer, landmarks.director):
                    client.get(page.url, params=page.query).raise_for_status()


def _sign_in(client, username):
    client.get("/accounts/login/").raise_for_status()
    response = client.post(
        "/accounts/login/",
        data={
            "username": username,
            "password": dataset.PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
        headers={"Referer": f"{client.base_url}accounts/login/"},
    )
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not sign in to gunicorn: HTTP {response.status_code}")


def _worker_memory(master_pid):
    """(VmRSS, VmHWM) in kB of each child of the gunicorn master."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields["PPid"]) == master_pid:
            found.append((int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])))
    return sorted(found)


def _wait_until_up(base, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/accounts/login/", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within a minute")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
