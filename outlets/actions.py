"""Deliveries: queue at sign-off, claim with a lease, send through the adapter, classify the outcome.
Every change to a Delivery or an Outlet's pause state is made here (DESIGN.md §6)."""

import logging
import random
import secrets
import time
import uuid
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Unit, User
from accounts.permissions import holders_of
from notifications.actions import notify
from notifications.models import Notification
from submissions.actions import ActionRefused
from submissions.models import Article, Event, Photo, Status

from . import statements
from .adapters import DeliveryError, LeaseLost, Recorder, adapter_for
from .leases import LeaseKeeper
from .models import Adoption, Delivery, DeliveryAttempt, Outlet
from .validators import validate_web_address

logger = logging.getLogger(__name__)

LEASE_MARGIN = timedelta(seconds=10)
MAX_ATTEMPTS = 8
BACKOFF_MAX = timedelta(hours=6)
KICK_BATCH = 10  # deliveries of one outlet that one task sends, one after another


# --- Creating ------------------------------------------------------------------------------


def queue_deliveries(article, outlets, *, revision, by):
    """Create one delivery per outlet, inside the caller's transaction (the sign-off): both commit
    or neither. The send is kicked after commit; the sweeper catches any kick that is lost."""
    deliveries = [
        Delivery.objects.create(article=article, revision=revision, outlet=outlet, created_by=by)
        for outlet in outlets
    ]
    kick_after_commit((delivery.outlet_id, delivery.pk) for delivery in deliveries)
    return deliveries


def kick(*delivery_ids):
    """Queue the task that sends these deliveries, one after another."""
    from .tasks import deliver

    try:
        deliver.delay(*delivery_ids)
    except Exception:  # the broker is down: the delivery rows are committed; the sweeper sends them
        logger.warning("Could not queue deliveries %s; the sweeper will.", delivery_ids, exc_info=True)


def kick_all(deliveries):
    """Kick (outlet id, delivery id) pairs: a task for every KICK_BATCH deliveries of one outlet, the
    outlets' batches taken in turn. A backlog (a transaction that queued many, a resumed outlet, the
    sweeper after the broker was down) then costs the broker and Celery a tenth of their work per
    delivery; different outlets still go out side by side on several workers."""
    by_outlet = {}
    for outlet_id, delivery_id in deliveries:
        by_outlet.setdefault(outlet_id, []).append(delivery_id)
    longest = max(map(len, by_outlet.values()), default=0)
    for start in range(0, longest, KICK_BATCH):
        for delivery_ids in by_outlet.values():
            if batch := delivery_ids[start : start + KICK_BATCH]:
                kick(*batch)


class _Kicks:
    """The deliveries one transaction queued, kicked together once it commits."""

    def __init__(self, hooks):
        self.hooks, self.pairs, self.sent = hooks, [], False

    def send(self):
        self.sent = True
        kick_all(self.pairs)


def kick_after_commit(deliveries):
    """Kick (outlet id, delivery id) pairs once the transaction commits, with every other delivery it
    queued (kick_all). The gathering lives on the connection and is started again after a commit or a
    rollback: Django gives the connection a new list of commit hooks after either (and after a
    savepoint's rollback; then a delivery that was rolled back may be kicked, and its task finds
    nothing to send)."""
    if not connection.in_atomic_block:
        kick_all(deliveries)
        return
    kicks = getattr(connection, "deliveries_to_kick", None)
    if kicks is None or kicks.sent or kicks.hooks is not connection.run_on_commit:
        kicks = connection.deliveries_to_kick = _Kicks(connection.run_on_commit)
        transaction.on_commit(kicks.send)
    kicks.pairs.extend(deliveries)


def default_outlets(article):
    """The preselected outlets that take the item's category, paused ones too: their deliveries wait
    for the outlet to be resumed."""
    return [o for o in Outlet.objects.deliverable().filter(preselected=True) if o.accepts(article)]


# --- Sending -------------------------------------------------------------------------------


def lease_duration():
    """Long enough for one request to time out, plus a margin (as long again, at most LEASE_MARGIN);
    renewed before every further request, so a dead worker's sends are picked up within a minute
    and a live one is never taken over."""
    timeout = timedelta(seconds=settings.OUTLETS_HTTP_TIMEOUT)
    return timeout + min(timeout, LEASE_MARGIN)


def claim(delivery_id, *, now=None):
    """Take the delivery for one attempt (a lease), or None if it is not due, taken, or its outlet is
    at its concurrency cap (sends whose lease ran out do not count). Returns (delivery, was_abandoned),
    the delivery with its outlet, article (and its photos) and revision.

    Read the delivery while locking its outlet (one claimer per outlet at a time), then one conditional
    update that takes it only if it is due and the outlet still has a free send slot. On PostgreSQL
    both in one round trip (statements.take_at_once); elsewhere the update takes the delivery only if
    nothing changed since the read (compare and set, the attempt count being the fencing token). The
    claim's commit waits for the disk (a claim lost after the send would send again unasked), except
    on PostgreSQL for an outlet that recognises a repeat by the delivery's key (a webhook): lost to a
    database crash, its claim is taken again and the same message sent again, as after an expired
    lease, and the outlet drops the repeat."""
    now = now or timezone.now()
    lease_until = now + lease_duration()
    if connection.vendor == "postgresql":
        delivery, taken = statements.take_at_once(delivery_id, lease_until=lease_until, now=now)
        if delivery is None or taken is None:
            return None  # not due, or at the cap (a finishing send kicks the next waiting one)
        was_abandoned = delivery.state == Delivery.State.SENDING
        delivery.state, delivery.lease_until = Delivery.State.SENDING, lease_until
        delivery.attempts, delivery.maybe_sent = taken  # maybe_sent: an abandoned send may have arrived
        return _claimed(delivery), was_abandoned
    with transaction.atomic():
        delivery = statements.read_for_claim(delivery_id)
        if delivery is None or not delivery.outlet.is_active or not delivery.is_due(now):
            return None
        was_abandoned = delivery.state == Delivery.State.SENDING
        taken = {
            "state": Delivery.State.SENDING,
            "lease_until": lease_until,
            "attempts": delivery.attempts + 1,
            "maybe_sent": delivery.maybe_sent or was_abandoned,  # an abandoned send may have arrived
        }
        if not statements.take(delivery, taken, max_concurrency=delivery.outlet.max_concurrency, now=now):
            return None  # at the cap, not lost: a finishing send kicks the next waiting one
    for name, value in taken.items():
        setattr(delivery, name, value)
    return _claimed(delivery), was_abandoned


def _claimed(delivery):
    article = delivery.article
    # Read as a prefetch would leave them, so that every adapter's article.photos.all() finds them;
    # most items credit no other unit, and then the payload need not ask.
    photos = _fetched(article.photos, delivery.photos) if delivery.photos else _none(Photo)
    article._prefetched_objects_cache = {"photos": photos}
    if not delivery.has_co_units:
        article._prefetched_objects_cache["co_units"] = _none(Unit)
    return delivery


def _fetched(related, objects):
    """A related manager's queryset holding `objects`, as prefetch_related_objects() leaves it."""
    found = related.get_queryset()
    found._result_cache, found._prefetch_done = objects, True
    return found


@cache
def _none(model):
    """An empty queryset of `model`, fetched: what a prefetch leaves for an article that has none of
    them. Built once per process (a related manager's queryset cost a third of a millisecond); as
    .none(), whatever is chained to it stays empty."""
    found = model._default_manager.none()
    found._result_cache, found._prefetch_done = [], True
    return found


def run_delivery(delivery_id):
    """One attempt: claim, reconcile if a previous attempt may have reached the outlet, send, record.
    The attempt is written with the outcome, in the transaction that moves the delivery on."""
    claimed = claim(delivery_id)
    if claimed is None:
        return None
    delivery, was_abandoned = claimed
    with LeaseKeeper(lambda: renew_lease(delivery), every=_renewal_slack().total_seconds()):
        return _attempt(delivery, was_abandoned)


def _attempt(delivery, was_abandoned):
    adapter = adapter_for(delivery.outlet)
    recorder = Recorder(delivery, renew_lease=lambda: renew_lease(delivery))
    attempt = DeliveryAttempt(delivery=delivery, number=delivery.attempts, started_at=timezone.now())
    started = time.monotonic()
    try:
        if was_abandoned:
            _record_abandoned_attempt(delivery)
        if delivery.maybe_sent:  # a previous attempt may have reached the outlet
            if not adapter.can_find and not adapter.resend_is_safe:
                reason = _("A previous attempt was interrupted.")
                return _needs_review(delivery, attempt, recorder, started, reason)
            if adapter.can_find and (found := _reconcile(adapter, delivery, recorder)):
                return _finish(delivery, attempt, recorder, started, sent=found, found=True)
        sent = adapter.send(delivery, recorder)
    except LeaseLost:
        _close_attempt(attempt, recorder, started, DeliveryAttempt.Outcome.INTERRUPTED, _("Taken over."))
        return delivery
    except DeliveryError as error:
        return _failed(delivery, adapter, attempt, recorder, started, error)
    except Exception as error:  # an adapter bug or an unexpected answer mid-send: it may have arrived
        logger.exception("Delivery %s failed unexpectedly", delivery.pk)
        error = DeliveryError(f"{error.__class__.__name__}: {error}", maybe_sent=True)
        return _failed(delivery, adapter, attempt, recorder, started, error)
    return _finish(delivery, attempt, recorder, started, sent=sent)


def _reconcile(adapter, delivery, recorder):
    """Ask the outlet whether it has the delivery; if it says no, the delivery is sent again."""
    found = adapter.find(delivery, recorder)
    if not found:
        _mark_maybe_sent(delivery, False)
    return found


def _record_abandoned_attempt(delivery):
    """The attempt whose worker died says so on the delivery page: its worker could not write it (or,
    begun before attempts were written at the end, left it without an outcome)."""
    DeliveryAttempt.objects.update_or_create(
        delivery=delivery,
        number=delivery.attempts - 1,
        defaults={
            "outcome": DeliveryAttempt.Outcome.INTERRUPTED,
            "error": _("The worker stopped during this attempt."),
            "finished_at": timezone.now(),
        },
    )


def _mark_maybe_sent(delivery, value):
    if delivery.maybe_sent != value:
        _held(delivery).update(maybe_sent=value)
        delivery.maybe_sent = value


def renew_lease(delivery):
    """Extend the lease of the attempt that holds `delivery`; LeaseLost if another attempt took it.
    A lease taken or renewed a moment ago (the first request after the claim) still covers a whole
    request and cannot have been taken over: it is left as it is, sparing a statement."""
    now = timezone.now()
    if delivery.lease_until - now > lease_duration() - _renewal_slack():
        return
    lease_until = now + lease_duration()
    if not _held(delivery).update(lease_until=lease_until):
        raise LeaseLost
    delivery.lease_until = lease_until


def _renewal_slack():
    return min(timedelta(seconds=settings.OUTLETS_HTTP_TIMEOUT), LEASE_MARGIN) / 2


def _held(delivery):
    """The delivery, as long as this attempt still holds it (claims count attempts: a fencing token)."""
    return Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING, attempts=delivery.attempts)


def _closed(attempt, recorder, started, outcome, error=""):
    attempt.finished_at = timezone.now()
    attempt.outcome = outcome
    attempt.requests = recorder.requests
    attempt.latency_ms = round((time.monotonic() - started) * 1000)
    attempt.error = error
    return attempt


def _close_attempt(attempt, recorder, started, outcome, error=""):
    _closed(attempt, recorder, started, outcome, error)
    if outcome != DeliveryAttempt.Outcome.INTERRUPTED:
        attempt.save()
        return
    # The attempt that took over may have recorded this one as stopped already: one row per attempt.
    fields = ("started_at", "finished_at", "outcome", "requests", "latency_ms", "error")
    DeliveryAttempt.objects.update_or_create(
        delivery=attempt.delivery,
        number=attempt.number,
        defaults={name: getattr(attempt, name) for name in fields},
    )


def _settle(delivery, attempt, recorder, started, outcome, error="", *, durable=True, event=None, **fields):
    """Close the attempt and move the delivery on (with `event` for its timeline), unless another
    attempt has taken it over. Its send slot is free: if it was the outlet's last (a claim may have
    been turned away at the cap), the delivery of the outlet that has waited longest is kicked after
    commit. Below the cap, no claim was turned away and each waiting delivery has its task on the way
    (or the sweeper's, if it was lost). Not `durable`: the commit does not wait for the disk
    (PostgreSQL; see _finish)."""
    fields = {"lease_until": None, **fields}
    interrupted = outcome == DeliveryAttempt.Outcome.INTERRUPTED  # its row may exist: not added
    added = [] if interrupted else [_closed(attempt, recorder, started, outcome, error)]
    added += [event] if event else []
    settled, waiting = statements.settle(delivery, fields, now=timezone.now(), durable=durable, added=added)
    if not settled:
        _close_attempt(attempt, recorder, started, DeliveryAttempt.Outcome.INTERRUPTED, _("Taken over."))
        return False
    for name, value in fields.items():
        setattr(delivery, name, value)
    if interrupted:
        _close_attempt(attempt, recorder, started, outcome, error)
    if waiting is not None:
        transaction.on_commit(lambda: kick(waiting))
    return True


def _finish(delivery, attempt, recorder, started, *, sent, found=False):
    """Record the outcome, the attempt and the timeline's entry: on PostgreSQL in one statement that
    commits on its own (statements.settle)."""
    outcome = DeliveryAttempt.Outcome.FOUND if found else DeliveryAttempt.Outcome.DELIVERED
    _settle(
        delivery,
        attempt,
        recorder,
        started,
        outcome,
        # A commit that need not wait for the disk. Were it lost to a database crash, the delivery is
        # back where the claim left it, as if the worker had died after sending: the lease runs out,
        # and the next attempt records this one as stopped and asks the outlet before sending
        # (promise 4). The claim's commit waits, unless the outlet drops repeats (see claim()).
        durable=False,
        event=Event(
            article=delivery.article,
            kind=Event.Kind.DELIVERED,
            revision=delivery.revision,
            note=str(delivery.outlet),
        ),
        state=Delivery.State.DELIVERED,
        maybe_sent=False,
        last_error="",
        delivered_at=timezone.now(),
        remote_id=sent.remote_id or delivery.remote_id,
        remote_url=sent.remote_url or delivery.remote_url,
    )
    return delivery


@transaction.atomic
def _needs_review(delivery, attempt, recorder, started, reason):
    """The outlet may have the item and cannot be asked (e-mail): a person decides, never a resend."""
    message = _(
        "%(reason)s The outlet may have received the item and cannot be asked. Check with the outlet, "
        "then retry or cancel."
    ) % {"reason": reason}
    outcome = DeliveryAttempt.Outcome.INTERRUPTED
    fields = {"state": Delivery.State.NEEDS_REVIEW, "maybe_sent": True, "last_error": message}
    if _settle(delivery, attempt, recorder, started, outcome, message, **fields):
        _tell_office(delivery, message)
    return delivery


@transaction.atomic
def _failed(delivery, adapter, attempt, recorder, started, error):
    now = timezone.now()
    if error.maybe_sent and not adapter.can_find and not adapter.resend_is_safe:
        return _needs_review(delivery, attempt, recorder, started, error.message)
    maybe_sent = error.maybe_sent or delivery.maybe_sent  # a failed find leaves the question open
    retrying = {"state": Delivery.State.RETRYING, "last_error": error.message, "maybe_sent": maybe_sent}
    if error.pause:
        fields = retrying | {"next_attempt_at": now}
        if _settle(
            delivery, attempt, recorder, started, DeliveryAttempt.Outcome.PAUSED, error.message, **fields
        ):
            pause_outlet(delivery.outlet, reason=error.message)
    elif error.permanent or delivery.attempts >= MAX_ATTEMPTS:
        fields = retrying | {"state": Delivery.State.FAILED}
        if _settle(
            delivery, attempt, recorder, started, DeliveryAttempt.Outcome.FAILED, error.message, **fields
        ):
            _tell_office(delivery, error.message)
    else:
        fields = retrying | {"next_attempt_at": now + (error.retry_after or backoff(delivery.attempts))}
        _settle(delivery, attempt, recorder, started, DeliveryAttempt.Outcome.RETRY, error.message, **fields)
    return delivery


def _tell_office(delivery, message):
    notify(
        office_recipients(),
        Notification.Kind.DELIVERY_FAILED,
        article=delivery.article,
        note=lambda: f"{delivery.outlet}: {message}",  # the outlet's name in each recipient's language
        link=reverse("outlets:delivery", args=[delivery.pk]),
    )


def backoff(attempts):
    """Exponential, with jitter so that many retries to one outlet do not arrive together."""
    base = timedelta(seconds=settings.OUTLETS_RETRY_BASE_SECONDS)
    delay = min(base * (2 ** min(max(0, attempts - 1), 20)), BACKOFF_MAX)
    return delay * random.uniform(0.8, 1.2)


def _set(delivery, **fields):
    for name, value in fields.items():
        setattr(delivery, name, value)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


def office_recipients():
    """Who is told of paused outlets and failed deliveries: the office directors and the admins."""
    office = Q(is_staff=True) | Q(role_assignments__role=Role.OFFICE_DIRECTOR)
    return list(User.objects.filter(office, is_active=True).distinct())


# --- People's actions ----------------------------------------------------------------------


@transaction.atomic
def retry(delivery, *, by):
    """Re-arm the same delivery (same key): the outlet can still recognise a repeat."""
    current = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if current.state not in (Delivery.State.FAILED, Delivery.State.NEEDS_REVIEW, Delivery.State.RETRYING):
        raise ActionRefused(_("Only a failed, waiting or interrupted delivery can be retried."))
    # Out of "needs review" a person has checked with the outlet: send, do not ask to check again.
    checked = {"maybe_sent": False} if current.state == Delivery.State.NEEDS_REVIEW else {}
    _set(current, state=Delivery.State.QUEUED, next_attempt_at=timezone.now(), lease_until=None, **checked)
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
        link = f"{reverse('outlets:deliveries')}?outlet={outlet.pk}"
        note = lambda: f"{outlet}: {reason}"  # noqa: E731 - the outlet's name in each recipient's language
        notify(office_recipients(), Notification.Kind.OUTLET_PAUSED, note=note, link=link)


@transaction.atomic
def resume_outlet(outlet, *, by):
    Outlet.objects.filter(pk=outlet.pk).update(is_active=True, paused_reason="")
    kick_after_commit(Delivery.objects.due().filter(outlet=outlet).values_list("outlet_id", "pk"))


@transaction.atomic
def rotate_feed_token(outlet, *, by):
    """A new secret address for an Atom feed outlet; the old one answers 404 from now on."""
    current = Outlet.objects.select_for_update().get(pk=outlet.pk)
    if current.kind != Outlet.Kind.ATOM:
        raise ActionRefused(_("Only a feed outlet has a feed address."))
    current.feed_token = secrets.token_urlsafe()
    current.save(update_fields=["feed_token"])
    address = adapter_for(current).feed_url()
    Delivery.objects.filter(outlet=current).exclude(remote_url="").update(remote_url=address)
    logger.info("Feed address of outlet %s changed by %s", current.pk, by)
    outlet.feed_token = current.feed_token
    return current


def test_connection(outlet):
    """(ok, message): what the outlet answered, word for word on failure."""
    if outlet.kind == Outlet.Kind.BRIEFING:
        return True, _("Nothing is sent to a briefing outlet: the items used in an issue count as adopted.")
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
    """The outlet published the item, seen by polling or a signed callback. Idempotent.
    Refused if `url` is not a web address (it is shown as a link)."""
    _check_address(url)
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
    _check_address(details.get("url", ""))
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


def _check_address(url):
    try:
        if url:
            validate_web_address(url)
    except ValidationError as error:
        raise ActionRefused(error.messages[0]) from None


def _adopted_event(adoption, by):
    """The timeline records the adoption; the author and the unit's leader in charge are told."""
    note = " ".join(part for part in (str(adoption.outlet), adoption.url, adoption.issue) if part)
    Event.objects.create(article_id=adoption.article_id, kind=Event.Kind.ADOPTED, actor=by, note=note)
    article = adoption.article
    told = [article.author, *holders_of(Role.LEADER_IN_CHARGE, article.unit_id)]
    where = "\n".join(part for part in (str(adoption.outlet), adoption.url, adoption.issue) if part)
    notify(told, Notification.Kind.ADOPTED, article=article, actor=by, note=where)


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
        try:
            record_adoption(delivery, url=seen[1])
        except ActionRefused:  # not a web address: the adoption stands, without the link
            record_adoption(delivery)
    elif seen and seen[0] == "declined":
        record_decline(delivery)
    return seen
