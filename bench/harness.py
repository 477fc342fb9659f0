import statistics
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection, reset_queries
from django.test.utils import (
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

OWN_SUFFIX = "_bench"


@contextmanager
def bench_database():
    from publicity.celery import app

    app.conf.task_always_eager = True  # tasks queued by actions run here, as part of what is timed
    if connection.vendor == "postgresql":
        # A name of its own: `pytest -p no:xdist` makes and drops test_<name> while a bench may run.
        test = connection.settings_dict["TEST"]
        test["NAME"] = test["NAME"] or f"test_{connection.settings_dict['NAME']}{OWN_SUFFIX}"
    setup_test_environment()
    config = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(config, verbosity=0)


def timed(fn, repeat=20):
    """Median wall time of fn() in milliseconds, and the queries of one call."""
    fn()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        fn()
    return statistics.median(samples), len(queries)


def percentiles(samples):
    """(p50, p95) of samples; p95 by the inclusive method, so a handful of samples give a figure."""
    if len(samples) < 2:
        return samples[0], samples[0]
    return statistics.median(samples), statistics.quantiles(samples, n=20, method="inclusive")[-1]


@contextmanager
def dataset_database(label, *, keep):
    """Point the default connection at a database of its own, migrated, for a data set too big to
    build in every benchmark's transaction; dropped afterwards unless `keep` (the next run finds it).
    Yields its DATABASE_URL, for other processes."""
    from django.core.management import call_command

    settings = connection.settings_dict
    test_name = settings["NAME"]
    if connection.vendor == "postgresql":
        name = f"{test_name.removesuffix(OWN_SUFFIX)}_{label}"  # test_<name>_pages_<items>, as before
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
    else:
        name = str(Path(test_name).with_name(f"bench-{label}.sqlite3"))
    connection.close()
    settings["NAME"] = name
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield database_url(settings)
    finally:
        connection.close()
        settings["NAME"] = test_name
        if not keep:
            _drop(name)


def database_url(settings):
    if connection.vendor != "postgresql":
        return f"sqlite:///{settings['NAME']}"
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{quote(settings['USER'])}{password}@{host}{port}/{settings['NAME']}"


def _drop(name):
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
