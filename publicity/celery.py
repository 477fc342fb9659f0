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
    # Only drop our references: kombu keeps one pool per broker address, and closing one would break
    # every later publish to that address (even eager tasks acquire a producer). Not app.close()
    # either: it also unregisters the app, and tasks imported later would not find it.
    app._pool = None
    app.amqp._producer_pool = None
