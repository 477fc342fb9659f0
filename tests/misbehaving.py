"""Peers that misbehave on loopback, and a Django process of its own to meet them with the settings
that its environment gives (not this test process's reconfigured ones)."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


class SilentBroker:
    """A TCP port on loopback that accepts connections and never answers a byte.

    After `give_up` seconds it closes every connection and stops listening, so that a client with
    no timeout fails (and its test with it) instead of hanging the test run."""

    def __init__(self, give_up=20.0):
        self.give_up = give_up
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._held = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        deadline = time.monotonic() + self.give_up
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            self._held.append(conn)
        self.server.close()  # later connections are refused
        for conn in self._held:
            conn.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.server.close()


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers(port):
    """A Redis server answers PING on this loopback port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


def run_django(script, *args, **env):
    """Runs `script` (Python that prints a JSON line last) in a fresh process set up with the test
    database and `env`; returns what it printed, decoded."""
    done = subprocess.run(
        [sys.executable, "-c", "import django\ndjango.setup()\n" + script, *map(str, args)],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "publicity.settings",
            "DEBUG": "true",
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": database_url(),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stdout
