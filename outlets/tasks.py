import logging
import time
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import actions
from .models import Delivery

SWEEP_BATCH = 500
BATCH_SECONDS = 15  # a task of several deliveries starts no new one after this

logger = logging.getLogger(__name__)


# A database that restarts under a running worker fails the task with OperationalError; retried within
# seconds rather than left for the sweeper (the claim's lease keeps a retry from sending twice, and a
# delivery the task had already sent is not due any more). So its connection is not checked before it
# starts: the claim, which changes nothing if it fails, checks it.
@shared_task(
    name="outlets.deliver",
    time_limit=180 + BATCH_SECONDS,
    soft_time_limit=150 + BATCH_SECONDS,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=20,
    max_retries=6,
    first_statement_checks_connection=True,
)
def deliver(*delivery_ids):
    """Send the deliveries one after another (a batch is one outlet's: actions.kick_all). One that
    starts after BATCH_SECONDS goes to a task of its own, with the rest, so that a slow outlet holds a
    worker for one send's time limit at most, plus BATCH_SECONDS. A delivery that fails with an error
    of ours does not stop the others; the first such error is raised once they are done (its lease
    runs out and the sweeper sends it again)."""
    started, error = time.monotonic(), None
    for n, delivery_id in enumerate(delivery_ids):
        if n and time.monotonic() - started > BATCH_SECONDS:
            actions.kick(*delivery_ids[n:])
            break
        try:
            actions.run_delivery(delivery_id)
        except (OperationalError, InterfaceError, SoftTimeLimitExceeded):
            raise
        except Exception as failed:
            logger.exception("Delivery %s failed with an error of ours.", delivery_id)
            error = error or failed
    if error is not None:
        raise error


@shared_task(name="outlets.sweep", time_limit=120, soft_time_limit=100)
def sweep():
    """Beat: kick every due delivery — pending, retry due, or a lease that expired (a dead worker)."""
    due = Delivery.objects.due().order_by("next_attempt_at").values_list("outlet_id", "pk")
    due = list(due[:SWEEP_BATCH])
    actions.kick_all(due)
    return len(due)


@shared_task(name="outlets.poll_adoptions", time_limit=600, soft_time_limit=540)
def poll_adoptions():
    """Beat: ask the outlets that can tell (WordPress) whether delivered items were published."""
    recent = timezone.now() - timedelta(days=60)
    waiting = Delivery.objects.filter(
        state=Delivery.State.DELIVERED,
        adoption=Delivery.Adoption.UNKNOWN,
        outlet__kind="wordpress",
        outlet__is_active=True,
        delivered_at__gte=recent,
    ).select_related("outlet")[:200]
    for delivery in waiting:
        actions.poll_adoption(delivery)
