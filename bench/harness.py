import statistics
import time
from contextlib import contextmanager

from django.db import connection, reset_queries
from django.test.utils import (
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)


@contextmanager
def bench_database():
    from publicity.celery import app

    app.conf.task_always_eager = True  # tasks queued by actions run here, as part of what is timed
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
