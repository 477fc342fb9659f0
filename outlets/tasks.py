from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import actions
from .models import Delivery

SWEEP_BATCH = 500


# A database that restarts under a running worker fails the task with OperationalError; retried within
# seconds rather than left for the sweeper (the claim's lease keeps a retry from sending twice). So its
# connection is not checked before it starts: the claim, which changes nothing if it fails, checks it.
@shared_task(
    name="outlets.deliver",
    time_limit=180,
    soft_time_limit=150,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=20,
    max_retries=6,
    first_statement_checks_connection=True,
)
def deliver(delivery_id):
    actions.run_delivery(delivery_id)


@shared_task(name="outlets.sweep", time_limit=120, soft_time_limit=100)
def sweep():
    """Beat: kick every due delivery — pending, retry due, or a lease that expired (a dead worker)."""
    due = Delivery.objects.due().order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH]
    for delivery_id in due:
        actions.kick(delivery_id)
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
