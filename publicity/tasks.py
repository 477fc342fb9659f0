import logging

from celery import current_app, shared_task
from django.db import transaction

logger = logging.getLogger(__name__)


@shared_task(name="publicity.ping", time_limit=10, soft_time_limit=5, ignore_result=False)
def ping():
    """Answers "pong": proves a worker takes tasks from the broker (tests, diagnostics)."""
    return "pong"


def queue_after_commit(name, *args):
    """Queue the task called `name` with `args` when the transaction commits: once, however many
    changes in it ask for the same sweep (a thousand marked cells are one recount, not a thousand
    messages). By name, so that a lower app can wake a higher one's sweeper (DESIGN.md §3). The
    broker being down loses nothing: the beat's sweeper does the same work a minute later."""
    key = (name, args)
    pending = transaction.get_connection().run_on_commit
    if not any(getattr(callback, "key", None) == key and not callback.done for _, callback, _ in pending):
        transaction.on_commit(_Queue(key), robust=True)


class _Queue:
    def __init__(self, key):
        self.key = key
        self.done = False  # run by a test's captured callbacks, not yet committed

    def __call__(self):
        self.done = True
        name, args = self.key
        try:
            current_app.loader.import_default_modules()  # every app's tasks, as a worker has them
            current_app.tasks[name].delay(*args)
        except Exception:
            logger.warning("Could not queue %s; the sweeper will do it.", name, exc_info=True)
