"""The Celery application. Settings come from Django's, prefixed CELERY_ (DESIGN.md §6)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publicity.settings")

app = Celery("publicity")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def reconnect():
    """Drop pooled broker connections so that a changed broker setting takes effect in this process
    (the tests and benchmarks point producers at a broker of their own)."""
    # Not app.close(): that also unregisters the app, and tasks imported later would not find it.
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
