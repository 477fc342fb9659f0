"""The Celery application. Settings come from Django's, prefixed CELERY_ (DESIGN.md §6)."""

import os
from contextlib import contextmanager
from contextvars import ContextVar

from celery import Celery
from celery import Task as BaseTask
from django.db import close_old_connections, connections
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publicity.settings")

# Within one web request: whether handing a task to the broker already failed (see Task).
_publishing = ContextVar("publishing", default=None)


class Task(BaseTask):
    """Every task of the project. A request that found the broker down or hung does not wait on it
    again for its next task: each would cost up to BROKER_TIMEOUT, and a sign-off queues several.
    The callers already treat a failed hand-over as "the sweeper will do it"; the work is in the
    database."""

    # A task whose first statement changes nothing if it fails, and which is retried within seconds
    # on a database error (outlets.deliver), lets that statement find out whether its connection
    # still works: checked first, the check cost it a round trip of its own (SELECT 1) every time.
    first_statement_checks_connection = False

    def before_start(self, task_id, args, kwargs):
        self._check_database_connections()
        if self.first_statement_checks_connection and not self.request.is_eager:
            for db in connections.all(initialized_only=True):
                db.health_check_done = db.connection is not None

    def after_return(self, *args, **kwargs):
        self._check_database_connections()

    def _check_database_connections(self):
        """A worker's connections live across tasks (settings.CELERY_DB_REUSE_MAX): each task starts and
        ends as a web request does, closing a connection that is broken (a statement failed and a check
        says so) or older than CONN_MAX_AGE, and checking the others before their next use."""
        if not self.request.is_eager:  # an eager task runs inside its caller's work and transaction
            close_old_connections()

    def apply_async(self, *args, **kwargs):
        scope = _publishing.get()
        if scope is None or self.app.conf.task_always_eager:
            return super().apply_async(*args, **kwargs)
        if scope["failed"]:
            raise OperationalError("The broker did not answer earlier in this request.")
        try:
            return super().apply_async(*args, **kwargs)
        except OperationalError:
            scope["failed"] = True
            raise


@contextmanager
def one_broker_wait():
    """Within this block (a web request), the broker is waited on at most once."""
    token = _publishing.set({"failed": False})
    try:
        yield
    finally:
        _publishing.reset(token)


app = Celery("publicity", task_cls=Task)
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
