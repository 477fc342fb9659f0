"""Deliveries: queue at sign-off, claim with a lease, send through the adapter, classify the outcome.
Every change to a Delivery or an Outlet's pause state is made here (DESIGN.md §6)."""

import logging
import random
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.actions import notify
from notifications.models import Notification
from submissions.actions import ActionRefused
from submissions.models import Article, Event, Status

from .adapters import DeliveryError, Recorder, adapter_for
from .models import Adoption, Delivery, DeliveryAttempt, Outlet

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_MAX = timedelta(hours=6)


# --- Creating ------------------------------------------------------------------------------


def queue_deliveries(article, outlets, *, revision, by):
    """Create one delivery per outlet, inside the caller's transaction (the sign-off): both commit
    or neither. The send is kicked after commit; the sweeper catches any kick that is lost."""
    deliveries = [
        Delivery.objects.create(article=article, revision=revision, outlet=outlet, created_by=by)
        for outlet in outlets
    ]
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: kick(pk))
    return deliveries


def kick(delivery_id):
    from .tasks import deliver

    try:
        deliver.delay(delivery_id)
    except Exception:  # the broker is down: the delivery row is committed; the sweeper sends it
        logger.warning("Could not queue delivery %s; the sweeper will.", delivery_id, exc_info=True)


def default_outlets(article):
    return [o for o in Outlet.objects.filter(is_active=True, preselected=True) if o.accepts(article)]


# --- Sending -------------------------------------------------------------------------------


def claim(delivery_id, *, now=None):
    """Take the delivery for one attempt (a lease), or None if it is not due, taken, or its outlet is
    at its concurrency cap. Returns (delivery, was_abandoned)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_related("outlet").filter(pk=delivery_id).first()
        if delivery is None:
            return None
        outlet = Outlet.objects.select_for_update().get(
            pk=delivery.outlet_id
        )  # one claimer per outlet at a time
        busy = Delivery.objects.filter(
            outlet=outlet, state=Delivery.State.SENDING, lease_until__gte=now
        ).count()
        if busy >= outlet.max_concurrency:
            return None
        was_abandoned = delivery.state == Delivery.State.SENDING
        taken = (
            Delivery.objects.due(now)
            .filter(pk=delivery_id)
            .update(state=Delivery.State.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1)
        )
        if not taken:
            return None
    delivery.refresh_from_db()
    return delivery, was_abandoned


def run_delivery(delivery_id):
    """One attempt: claim, reconcile if a previous attempt was interrupted, send, record."""
    claimed = claim(delivery_id)
    if claimed is None:
        return None
    delivery, was_abandoned = claimed
    adapter = adapter_for(delivery.outlet)
    recorder = Recorder(delivery)
    attempt = DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts)
    started = time.monotonic()
    try:
        if was_abandoned and adapter.can_find:
            if found := adapter.find(delivery, recorder):  # ask before sending again (reconcile)
                return _finish(
                    delivery, attempt, recorder, started, sent=found, outcome=DeliveryAttempt.Outcome.FOUND
                )
        elif was_abandoned and not adapter.resend_is_safe:
            return _finish(delivery, attempt, recorder, started, needs_review=True)
        sent = adapter.send(delivery, recorder)
    except DeliveryError as error:
        return _failed(delivery, attempt, recorder, started, error)
    except Exception as error:  # an adapter bug or an unexpected answer: keep it retrying, visibly
        logger.exception("Delivery %s failed unexpectedly", delivery.pk)
        return _failed(
            delivery, attempt, recorder, started, DeliveryError(f"{error.__class__.__name__}: {error}")
        )
    return _finish(delivery, attempt, recorder, started, sent=sent)


def _close_attempt(attempt, recorder, started, outcome, error=""):
    attempt.finished_at = timezone.now()
    attempt.outcome = outcome
    attempt.requests = recorder.requests
    attempt.latency_ms = round((time.monotonic() - started) * 1000)
    attempt.error = error
    attempt.save()


def _finish(
    delivery,
    attempt,
    recorder,
    started,
    *,
    sent=None,
    outcome=DeliveryAttempt.Outcome.DELIVERED,
    needs_review=False,
):
    with transaction.atomic():
        if needs_review:
            message = _(
                "A previous attempt was interrupted while sending; the outlet cannot be asked whether it "
                "arrived. Check with the outlet, then retry or cancel."
            )
            _close_attempt(attempt, recorder, started, DeliveryAttempt.Outcome.INTERRUPTED, message)
            _set(delivery, state=Delivery.State.NEEDS_REVIEW, lease_until=None, last_error=message)
            return delivery
        _close_attempt(attempt, recorder, started, outcome)
        _set(
            delivery,
            state=Delivery.State.DELIVERED,
            lease_until=None,
            last_error="",
            delivered_at=timezone.now(),
            remote_id=sent.remote_id or delivery.remote_id,
            remote_url=sent.remote_url or delivery.remote_url,
        )
        Event.objects.create(
            article=delivery.article,
            kind=Event.Kind.DELIVERED,
            revision=delivery.revision,
            note=str(delivery.outlet),
        )
    return delivery


def _failed(delivery, attempt, recorder, started, error):
    with transaction.atomic():
        now = timezone.now()
        if error.pause:
            _close_attempt(attempt, recorder, started, DeliveryAttempt.Outcome.PAUSED, error.message)
            _set(
                delivery,
                state=Delivery.State.RETRYING,
                lease_until=None,
                last_error=error.message,
                next_attempt_at=now,
            )
            pause_outlet(delivery.outlet, reason=error.message)
        elif error.permanent or delivery.attempts >= MAX_ATTEMPTS:
            _close_attempt(attempt, recorder, started, DeliveryAttempt.Outcome.FAILED, error.message)
            _set(delivery, state=Delivery.State.FAILED, lease_until=None, last_error=error.message)
            notify(
                _admins(),
                Notification.Kind.DELIVERY_FAILED,
                article=delivery.article,
                note=f"{delivery.outlet}: {error.message}",
            )
        else:
            _close_attempt(attempt, recorder, started, DeliveryAttempt.Outcome.RETRY, error.message)
            _set(
                delivery,
                state=Delivery.State.RETRYING,
                lease_until=None,
                last_error=error.message,
                next_attempt_at=now + (error.retry_after or backoff(delivery.attempts)),
            )
    return delivery


def backoff(attempts):
    """Exponential, with jitter so that many retries to one outlet do not arrive together."""
    base = timedelta(seconds=settings.OUTLETS_RETRY_BASE_SECONDS)
    delay = min(base * (2 ** min(max(0, attempts - 1), 20)), BACKOFF_MAX)
    return delay * random.uniform(0.8, 1.2)


def _set(delivery, **fields):
    for name, value in fields.items():
        setattr(delivery, name, value)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


def _admins():
    return list(User.objects.filter(is_active=True, is_staff=True))


# --- People's actions ----------------------------------------------------------------------


@transaction.atomic
def retry(delivery, *, by):
    """Re-arm the same delivery (same key): the outlet can still recognise a repeat."""
    current = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if current.state not in (Delivery.State.FAILED, Delivery.State.NEEDS_REVIEW, Delivery.State.RETRYING):
        raise ActionRefused(_("Only a failed, waiting or interrupted delivery can be retried."))
    _set(current, state=Delivery.State.QUEUED, next_attempt_at=timezone.now(), lease_until=None)
    transaction.on_commit(lambda: kick(current.pk))
    return current


@transaction.atomic
def cancel(delivery, *, by):
    current = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if current.state in (Delivery.State.DELIVERED, Delivery.State.CANCELLED, Delivery.State.SENDING):
        raise ActionRefused(
            _("This delivery cannot be cancelled now (%(state)s).") % {"state": current.get_state_display()}
        )
    _set(current, state=Delivery.State.CANCELLED, lease_until=None)
    return current


@transaction.atomic
def resend_as_new(delivery, *, by):
    """A new delivery with a new key: the outlet sees a new item."""
    return queue_deliveries(delivery.article, [delivery.outlet], revision=delivery.revision, by=by)[0]


@transaction.atomic
def pause_outlet(outlet, *, reason, by=None):
    if Outlet.objects.filter(pk=outlet.pk, is_active=True).update(
        is_active=False, paused_reason=reason[:500]
    ):
        notify(_admins(), Notification.Kind.OUTLET_PAUSED, note=f"{outlet}: {reason}")


@transaction.atomic
def resume_outlet(outlet, *, by):
    Outlet.objects.filter(pk=outlet.pk).update(is_active=True, paused_reason="")
    for delivery_id in Delivery.objects.due().filter(outlet=outlet).values_list("pk", flat=True):
        transaction.on_commit(lambda pk=delivery_id: kick(pk))


def test_connection(outlet):
    """(ok, message): what the outlet answered, word for word on failure."""
    recorder = Recorder(Delivery(outlet=outlet, uuid=uuid.uuid4()))
    try:
        return True, adapter_for(outlet).test_connection(recorder)
    except DeliveryError as error:
        return False, error.message
    except Exception as error:
        return False, f"{error.__class__.__name__}: {error}"


# --- Adoption ------------------------------------------------------------------------------


@transaction.atomic
def record_adoption(delivery, *, url="", by=None, note=""):
    """The outlet published the item, seen by polling or a signed callback. Idempotent."""
    updated = (
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(adoption=Delivery.Adoption.ADOPTED)
        .update(adoption=Delivery.Adoption.ADOPTED, adopted_url=url[:500])
    )
    if updated:
        outlet = delivery.outlet
        adoption, created = Adoption.objects.get_or_create(
            article_id=delivery.article_id,
            outlet=outlet,
            defaults={
                "delivery": delivery,
                "level": outlet.level,
                "adopted_on": timezone.localdate(),
                "url": url[:500],
                "note": note,
                "source": Adoption.Source.OUTLET,
                "recorded_by": by,
            },
        )
        if created:
            _adopted_event(adoption, by)
    return updated


@transaction.atomic
def record_office_adoption(article, outlet, *, adopted_on, by, source=Adoption.Source.OFFICE, **details):
    """The office enters an adoption it saw (a printed paper, a portal): any signed-off item, any
    outlet. `details`: url, issue, note, instruction_level, instruction_leader, instruction_text.

    Refused if the item is not signed off, or the outlet's adoption of it is already recorded with
    other details; the same entry twice (a double click) returns the first.
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Status.APPROVED:
        raise ActionRefused(_("Only signed-off items can be adopted."))
    existing = Adoption.objects.filter(article=article, outlet=outlet).first()
    if existing:
        if existing.adopted_on == adopted_on and all(getattr(existing, k) == v for k, v in details.items()):
            return existing
        raise ActionRefused(
            _("The adoption of this item by %(outlet)s was already recorded (%(day)s).")
            % {"outlet": outlet, "day": existing.adopted_on}
        )
    delivery = Delivery.objects.filter(article=article, outlet=outlet).order_by("-created_at").first()
    adoption = Adoption.objects.create(
        article=article,
        outlet=outlet,
        delivery=delivery,
        level=outlet.level,
        adopted_on=adopted_on,
        source=source,
        recorded_by=by,
        **details,
    )
    if delivery:
        Delivery.objects.filter(pk=delivery.pk).update(
            adoption=Delivery.Adoption.ADOPTED, adopted_url=adoption.url or delivery.adopted_url
        )
    _adopted_event(adoption, by)
    return adoption


@transaction.atomic
def remove_adoption(adoption, *, by, reason):
    """The office takes back an adoption recorded by mistake; the timeline keeps both entries."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why the adoption is removed."))
    found = Adoption.objects.select_for_update().filter(pk=adoption.pk).first()
    if found is None:
        return None  # removed already (a second click)
    if found.delivery_id:
        unknown = {"adoption": Delivery.Adoption.UNKNOWN, "adopted_url": ""}
        Delivery.objects.filter(pk=found.delivery_id).update(**unknown)
    found.delete()
    note = f"{found.outlet}: {reason}"
    Event.objects.create(article_id=found.article_id, kind=Event.Kind.ADOPTION_REMOVED, actor=by, note=note)
    return found


def _adopted_event(adoption, by):
    note = " ".join(part for part in (str(adoption.outlet), adoption.url, adoption.issue) if part)
    Event.objects.create(article_id=adoption.article_id, kind=Event.Kind.ADOPTED, actor=by, note=note)


@transaction.atomic
def record_decline(delivery):
    Delivery.objects.filter(pk=delivery.pk, adoption=Delivery.Adoption.UNKNOWN).update(
        adoption=Delivery.Adoption.DECLINED
    )


def poll_adoption(delivery):
    recorder = Recorder(delivery)
    try:
        seen = adapter_for(delivery.outlet).adoption(delivery, recorder)
    except DeliveryError as error:
        logger.info("Adoption of delivery %s not known: %s", delivery.pk, error.message)
        return None
    if seen and seen[0] == "adopted":
        record_adoption(delivery, url=seen[1])
    elif seen and seen[0] == "declined":
        record_decline(delivery)
    return seen
