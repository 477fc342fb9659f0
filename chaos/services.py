"""The real processes the chaos suite starts, stops and kills: a private PostgreSQL and Redis (never the
machine's shared ones), a broker port that accepts and never answers, the web, worker and beat processes
and the recording webhook receiver. Everything binds 127.0.0.1; every wait is bounded."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "chaos"
LOGS = VAR / "logs"
PG_BIN = Path(os.environ.get("CHAOS_PG_BIN", "/usr/lib/postgresql/15/bin"))
# A fixed Fernet key for the suite's outlet credentials (its database is thrown away after the run).
CREDENTIAL_KEY = "kLSJ_p9mG7U_TzBsIFmwmwNFi-uLOzs1lA_qLyHHL20="


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answers on 127.0.0.1:{port} after {timeout:.0f} s")


def _as_postgres(command):
    """initdb and postgres refuse to run as root: run them as the postgres user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PostgreSQL:
    """A cluster of our own under var/chaos/pg, on a free port; restartable."""

    def __init__(self):
        self.port = free_port()
        self.data = VAR / "pg"
        self.log = LOGS / "postgresql.log"

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/chaos"

    def start(self):
        if self.data.exists():
            shutil.rmtree(self.data)
        self.data.mkdir(parents=True)
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
            shutil.chown(self.log, "postgres", "postgres")
        initdb = [
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        ]
        subprocess.run(_as_postgres(initdb), check=True, capture_output=True, timeout=120)
        self._ctl("start")
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "chaos"],
            check=True,
            timeout=60,
        )
        return self

    def _ctl(self, action, *extra):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options]
        subprocess.run(_as_postgres([*command, "-w", "-t", "60", *extra, action]), check=True, timeout=90)

    def restart(self, down_seconds=3.0):
        """Stop (fast: connections are cut), stay down a moment as a real restart does, start."""
        self._ctl("stop", "-m", "fast")
        time.sleep(down_seconds)
        self._ctl("start")

    def stop(self):
        if self.data.exists():
            subprocess.run(
                _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                timeout=60,
            )


class Redis:
    """redis-server on a free port, no persistence; stop() and start() again on the same port."""

    def __init__(self, logs=LOGS):
        self.port = free_port()
        self.logs = logs
        self.process = None

    def url(self, db):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        command += ["--appendonly", "no", "--maxmemory-policy", "noeviction"]
        deadline = time.monotonic() + 30
        while True:  # the port may still be held for a moment by what was there before
            log = open(self.logs / "redis.log", "a")  # noqa: SIM115 (the process keeps it)
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            try:
                self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                wait_for_port(self.port)
                return self
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server could not start on port {self.port}: see {self.logs}/redis.log"
                )

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


class HungPort:
    """Accepts connections on a port and never answers (a broker that hangs)."""

    def __init__(self, port):
        self.port = port
        self.held = []
        self.stopping = threading.Event()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

    def start(self):
        deadline = time.monotonic() + 20
        while True:
            try:
                self.server.bind(("127.0.0.1", self.port))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.server.listen(256)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return self

    def _accept(self):
        self.server.settimeout(0.2)  # so that stop() is not held up by a blocked accept()
        while not self.stopping.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(connection)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.server.close()
        for connection in self.held:
            connection.close()


class Process:
    """One of our own processes (web, worker, beat, receiver) in a session of its own, so that a kill
    reaches its children too. Output goes to <logs>/<name>.log (var/chaos/logs unless told)."""

    def __init__(self, name, command, env, logs=LOGS):
        self.name = name
        self.command = command
        self.env = env
        self.log = logs / f"{name}.log"
        self.popen = None

    def start(self):
        log = open(self.log, "a")  # noqa: SIM115 (the process keeps it)
        self.popen = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def kill(self):
        """SIGKILL to the process and its children: no clean-up, as when a machine dies."""
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=20)

    def stop(self, timeout=20):
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def output(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def python(*args):
    return [sys.executable, *args]


def web(env, port, name="web", logs=LOGS, workers=2):
    command = python(
        "-m", "gunicorn", "publicity.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", "32", "--timeout", "120", "--graceful-timeout", "5",
        "--keep-alive", "75",  # as behind a proxy: a tab's idle connection stays usable
        "--no-control-socket",  # its default path is one per user: two web processes would share it
    )  # fmt: skip
    return Process(name, command, env, logs)


def worker(env, name, concurrency=2, logs=LOGS, loglevel="WARNING", host="chaos"):
    """A Celery worker named <name>@<host>; at loglevel INFO its log names each task it ran."""
    command = python(
        "-m", "celery", "-A", "publicity", "worker", "--pool=prefork", f"--concurrency={concurrency}",
        f"--loglevel={loglevel}", "--without-gossip", "--without-mingle", "-n", f"{name}@{host}",
    )  # fmt: skip
    return Process(name, command, env, logs)


def beat(env, name, logs=LOGS):
    """Beat with the scheduler the settings name (on Redis, one that holds a lock there)."""
    schedule = logs.parent / f"{name}-schedule"
    for leftover in logs.parent.glob(f"{name}-schedule*"):
        leftover.unlink()
    command = python("-m", "celery", "-A", "publicity", "beat", "--loglevel=INFO", "-s", str(schedule))
    return Process(name, command, env, logs)


def receiver(env, port, secret, control, log, logs=LOGS):
    command = python(
        "-m", "chaos.hook", "--port", str(port), "--secret", secret,
        "--control", str(control), "--log", str(log),
    )  # fmt: skip
    return Process(f"receiver-{port}", command, env, logs)
