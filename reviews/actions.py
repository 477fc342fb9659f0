"""Every status transition of an article (DESIGN.md §5): submit, approve, return, reject, withdraw,
and a reviewer's edit. Each locks what it changes, checks the rule, saves, appends the Event and
sends notifications after commit (notifications.actions.notify schedules its own e-mail).
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.permissions import holders_of
from notifications.actions import notify
from notifications.models import Notification
from outlets.actions import default_outlets, queue_deliveries
from publicity.language import office_language
from submissions.actions import ActionRefused, ChecksFailed, StaleEdit, locked, snapshot_revision
from submissions.checks import Check, presubmit_checks
from submissions.content import plain_text, sanitize_body, text_length
from submissions.models import Event, Status

from .models import Decision, Delegation, ReviewChain, ReviewRun, ReviewStage, ReviewStep
from .permissions import may_decide, may_name_deputy, on_behalf_of, reviewers_of, unheld_stage

__all__ = ["ActionRefused", "AlreadyDecided", "ChecksFailed", "NobodyToReview", "StaleEdit"]


class AlreadyDecided(ActionRefused):
    def __init__(self, step):
        super().__init__(
            _("Already decided by %(name)s: %(decision)s.")
            % {"name": step.reviewer or _("someone else"), "decision": step.get_decision_display()}
        )
        self.step = step


class NobodyToReview(ActionRefused):
    """A stage of the item's route has nobody who may decide it (or only its author)."""

    def __init__(self, article, stage, *, author_only):
        names = {"role": _role_name(stage), "unit": article.unit}
        if author_only:
            reason = _(
                "Not submitted: you are the only “%(role)s” for %(unit)s, and nobody decides on an "
                "item they wrote."
            )
        else:
            reason = _(
                "Not submitted: nobody holds the role “%(role)s” for %(unit)s, so nobody could review it."
            )
        super().__init__(
            " ".join([reason % names, str(_("The office has been told; your item is kept as it is."))])
        )
        self.article, self.stage, self.author_only = article, stage, author_only


# --- Submitting ----------------------------------------------------------------------------


def submit_for_review(article, *, base_version, by):
    """Hand the article to its review chain, or back to the stage that returned it.

    A repeated submit of the same version (double click, replayed POST) changes nothing. If a stage
    still ahead has nobody who may decide it, nothing is submitted (the draft stays as it is) and the
    office is told which role the unit lacks.
    """
    try:
        return _submit(article, base_version=base_version, by=by)
    except NobodyToReview as refused:
        _tell_office_nobody_reviews(refused.article, refused.stage, author_only=refused.author_only)
        raise


@transaction.atomic
def _submit(article, *, base_version, by):
    current = locked(article)
    if current.status == Status.IN_REVIEW and current.version == base_version:
        return current
    if current.version != base_version:
        raise StaleEdit(current)
    if not current.may_move_to(Status.IN_REVIEW):
        raise ActionRefused(
            _("This item cannot be submitted (%(status)s).") % {"status": current.get_status_display()}
        )
    blocking = [c for c in presubmit_checks(current) if c.level == Check.BLOCK]
    if blocking:
        raise ChecksFailed(blocking)
    revision = snapshot_revision(current, by=by)
    if current.status == Status.RETURNED:
        run, stage, position, note = _resume_run(current)
    else:
        run = _start_run(current)
        stage, position = ReviewStage.objects.get(pk=run.route[0]), 0
        note = ""
    _check_every_stage_is_held(current, run.route[position:])
    current.status = Status.IN_REVIEW
    current.submitted_at = current.submitted_at or timezone.now()
    current.save(update_fields=["status", "submitted_at", "updated_at"])
    Event.objects.create(article=current, kind=Event.Kind.SUBMITTED, actor=by, revision=revision, note=note)
    _open_step(run, current, stage, position, revision, actor=by)
    return current


def _start_run(article):
    chain = _chain_for(article)
    route = _route(chain, article) if chain else []
    if not route:
        raise ActionRefused(_("No review chain is set up for this unit. Ask an administrator."))
    return ReviewRun.objects.create(article=article, chain=chain, route=route)


def _chain_for(article):
    return (
        ReviewChain.objects.filter(units=article.unit_id).first()
        or ReviewChain.objects.filter(is_default=True).first()
    )


def _route(chain, article, *, keep=()):
    """The ids of the chain's stages, in order, that apply to the article now or are in `keep`."""
    stages = chain.stages.prefetch_related("categories")
    return [s.pk for s in stages if s.pk in keep or s.applies_to(article, {c.pk for c in s.categories.all()})]


def _resumed_route(run, article):
    """(route, position, added) for a resubmission: back to the stage that returned it.

    A stage that applies now (the item was marked important, its category changed) joins the route;
    none leaves it. If one joins before the stage that returned the item, the item starts there.
    """
    returned = run.steps.filter(decision=Decision.RETURNED).latest("decided_at", "id")
    route = _route(run.chain, article, keep=set(run.route))
    added = [pk for pk in route if pk not in run.route]
    position = min([route.index(returned.stage_id), *(route.index(pk) for pk in added)])
    return route, position, added


def _resume_run(article):
    """(run, stage, position, note) for a resubmission; the run's route gains the stages added."""
    run = ReviewRun.objects.get(article=article, state=ReviewRun.State.ACTIVE)
    route, position, added = _resumed_route(run, article)
    stage = ReviewStage.objects.get(pk=route[position])
    if added:
        run.route = route
        run.save(update_fields=["route"])
    with office_language():  # the timeline's note, read by everyone
        if added:
            names = ", ".join(str(s) for s in ReviewStage.objects.filter(pk__in=added))
            note = _("Resubmitted to %(stage)s; added to its route: %(stages)s") % {
                "stage": stage,
                "stages": names,
            }
        else:
            note = _("Resubmitted to %(stage)s") % {"stage": stage}
    return run, stage, position, note


def stages_ahead(article):
    """The ids of the stages a submission now would take the item through, from the first it would
    wait at; nothing is saved. For the pre-submit page."""
    if article.status == Status.RETURNED:
        run = ReviewRun.objects.filter(article=article, state=ReviewRun.State.ACTIVE).first()
        if run is not None:
            route, position, _added = _resumed_route(run, article)
            return route[position:]
    chain = _chain_for(article)
    return _route(chain, article) if chain else []


def _open_step(run, article, stage, position, revision, *, actor):
    now = timezone.now()
    step = ReviewStep.objects.create(
        run=run,
        article=article,
        unit_id=article.unit_id,
        stage=stage,
        position=position,
        revision=revision,
        created_at=now,
        due_at=now + timedelta(hours=stage.time_limit_hours),
    )
    reviewers = list(reviewers_of(step))
    notify(reviewers, Notification.Kind.REVIEW_REQUESTED, article=article, actor=actor, link=_step_link(step))
    if not reviewers:  # the holder left after the submission: the step waits for a new one
        _tell_office_nobody_reviews(article, stage, author_only=False, waiting=True)
    return step


# --- A stage nobody holds ------------------------------------------------------------------


def reviewer_checks(article):
    """For the pre-submit page: a stage ahead that nobody may decide blocks the submission."""
    unheld = unheld_stage(article, stages_ahead(article))
    if unheld is None:
        return []
    names = {"role": _role_name(unheld.stage), "unit": article.unit}
    if unheld.author_only:
        message = _(
            "You are the only “%(role)s” for %(unit)s, and nobody decides on an item they wrote. "
            "Ask the office to name another."
        )
    else:
        message = _("Nobody holds the role “%(role)s” for %(unit)s, so nobody could review this item.")
    return [Check(Check.BLOCK, message % names)]


def _check_every_stage_is_held(article, stage_ids):
    """Refuse (NobodyToReview) if one of these stages has nobody but the author to decide it."""
    if unheld := unheld_stage(article, stage_ids):
        raise NobodyToReview(article, unheld.stage, author_only=unheld.author_only)


def _tell_office_nobody_reviews(article, stage, *, author_only, waiting=False):
    """The office directors (the admins when there are none) learn which role the unit lacks; once
    per item until they have read it."""
    office = holders_of(Role.OFFICE_DIRECTOR, article.unit_id)
    if not office.exists():
        office = User.objects.filter(is_active=True, is_staff=True)
    already = Notification.objects.unread().filter(article=article, kind=Notification.Kind.REVIEWER_MISSING)
    note = partial(_nobody_reviews_note, article, stage, author_only=author_only, waiting=waiting)
    recipients = list(office.exclude(pk__in=already.values("recipient")))
    # An item that could not be submitted is a draft only its unit sees: lead to the unit's roles.
    link = (
        ""
        if waiting
        else f"{reverse('admin:accounts_roleassignment_changelist')}?unit__id__exact={article.unit_id}"
    )
    notify(recipients, Notification.Kind.REVIEWER_MISSING, article=article, note=note, link=link)


def _nobody_reviews_note(article, stage, *, author_only, waiting):
    """Written in each recipient's language (`notify`)."""
    names = {"role": _role_name(stage), "unit": article.unit, "stage": stage}
    if author_only:
        lack = _("Only the author holds the role “%(role)s” for %(unit)s (review stage “%(stage)s”).")
    else:
        lack = _("Nobody holds the role “%(role)s” for %(unit)s (review stage “%(stage)s”).")
    if waiting:
        outcome = _(
            "The item waits at that stage with nobody to decide it. "
            "Name someone on the Units and people page."
        )
    else:
        outcome = _("The item could not be submitted. Name someone on the Units and people page.")
    return " ".join([lack % names, outcome])


def _role_name(stage):
    return Role(stage.reviewer_role).label


# --- Deciding ------------------------------------------------------------------------------


def _locked_step(step, *, by, decision, revision_id):
    """Lock the step; refuse if it is decided (unless this is a replay of the same decision)."""
    current = ReviewStep.objects.select_for_update().select_related("stage", "article").get(pk=step.pk)
    if not current.is_pending:
        if current.decision == decision and current.reviewer_id == by.pk:
            return current, True
        raise AlreadyDecided(current)
    if current.article.author_id == by.pk:
        raise ActionRefused(_("You wrote this item: someone else must decide on it."))
    if not may_decide(by, current):
        raise ActionRefused(_("You may not decide this review step."))
    latest = current.article.revisions.order_by("-number").values_list("pk", flat=True).first()
    if revision_id != latest:
        raise ActionRefused(_("The item changed while you were reviewing it. Review the new version."))
    return current, False


def _decide(step, *, by, decision, revision_id, comment):
    current, replay = _locked_step(step, by=by, decision=decision, revision_id=revision_id)
    if replay:
        return current, True
    current.decision = decision
    current.reviewer = by
    current.on_behalf_of = on_behalf_of(by, current)
    current.comment = comment
    current.decided_at = timezone.now()
    current.revision_id = revision_id
    current.save(update_fields=["decision", "reviewer", "on_behalf_of", "comment", "decided_at", "revision"])
    return current, False


@transaction.atomic
def approve(step, *, by, revision_id, comment="", outlets=None):
    """This stage agrees. The last stage's approval signs the item off and, in the same
    transaction, creates its deliveries to `outlets` (default: the preselected outlets; a paused
    outlet's delivery waits until the outlet is resumed)."""
    step, replay = _decide(step, by=by, decision=Decision.APPROVED, revision_id=revision_id, comment=comment)
    if replay:
        return step
    article = locked(step.article)
    with office_language():  # the timeline's note, read by everyone
        note = (
            _("%(stage)s: %(comment)s") % {"stage": step.stage, "comment": comment}
            if comment
            else str(step.stage)
        )
    Event.objects.create(
        article=article,
        kind=Event.Kind.APPROVED,
        actor=by,
        revision_id=revision_id,
        note=_deputy_note(step, note),
    )
    run = step.run
    if not signs_off(step):
        stage = ReviewStage.objects.get(pk=run.route[step.position + 1])
        _open_step(run, article, stage, step.position + 1, step.revision, actor=by)
        return step
    _finish(run, ReviewRun.State.SIGNED_OFF)
    article.status = Status.APPROVED
    article.signed_off_at = timezone.now()
    article.save(update_fields=["status", "signed_off_at", "updated_at"])
    Event.objects.create(
        article=article,
        kind=Event.Kind.SIGNED_OFF,
        actor=by,
        revision_id=revision_id,
        note=_deputy_note(step, ""),
    )
    chosen = default_outlets(article) if outlets is None else list(outlets)  # paused ones wait
    queue_deliveries(article, chosen, revision=step.revision, by=by)
    notify([article.author], Notification.Kind.SIGNED_OFF, article=article, actor=by)
    return step


def signs_off(step):
    """The step is its item's last stage: approving it signs the item off."""
    return step.position + 1 >= len(step.run.route)


@dataclass(frozen=True)
class BatchOutcome:
    signed_off: list  # the steps approved, in the order given
    refused: list  # (step, message) for each step that was not


def sign_off_batch(choices, *, by, outlets):
    """Sign off several items at once, each its own decision on its own revision: `choices` are
    (step, revision_id) pairs. Every item goes through `approve` in its own transaction, so one that is
    refused (the reviewer wrote it, it changed, it is not at its last stage) stops none of the others."""
    signed_off, refused = [], []
    for step, revision_id in choices:
        if not signs_off(step):
            refused.append((step, _("It is not at its last stage: open it to approve it.")))
            continue
        try:
            signed_off.append(approve(step, by=by, revision_id=revision_id, outlets=outlets))
        except ActionRefused as error:
            refused.append((step, error.message))
    return BatchOutcome(signed_off, refused)


@transaction.atomic
def return_for_revision(step, *, by, revision_id, comment):
    """Back to the author with a reason; the resubmission comes back to this stage."""
    comment = _required_comment(comment)
    step, replay = _decide(step, by=by, decision=Decision.RETURNED, revision_id=revision_id, comment=comment)
    if not replay:
        _end(step, Status.RETURNED, Event.Kind.RETURNED, Notification.Kind.RETURNED, by=by, comment=comment)
    return step


@transaction.atomic
def reject(step, *, by, revision_id, comment):
    """A final no, with a reason."""
    comment = _required_comment(comment)
    step, replay = _decide(step, by=by, decision=Decision.REJECTED, revision_id=revision_id, comment=comment)
    if not replay:
        _end(step, Status.REJECTED, Event.Kind.REJECTED, Notification.Kind.REJECTED, by=by, comment=comment)
        _finish(step.run, ReviewRun.State.REJECTED)
    return step


def _deputy_note(step, note):
    """The timeline names the absent reviewer next to the deputy who decided (the Event's actor), in
    the office's language."""
    if step.on_behalf_of_id is None:
        return note
    with office_language():
        if not note:
            return _("On behalf of %(name)s") % {"name": step.on_behalf_of}
        return _("On behalf of %(name)s — %(note)s") % {"name": step.on_behalf_of, "note": note}


def _required_comment(comment):
    comment = (comment or "").strip()
    if not comment:
        raise ActionRefused(_("Write a comment: the author needs to know why."))
    return comment


def _end(step, status, event_kind, notification_kind, *, by, comment):
    article = locked(step.article)
    article.status = status
    article.save(update_fields=["status", "updated_at"])
    Event.objects.create(
        article=article,
        kind=event_kind,
        actor=by,
        revision_id=step.revision_id,
        note=_deputy_note(step, comment),
    )
    notify([article.author], notification_kind, article=article, actor=by, note=comment)


def _finish(run, state):
    run.state = state
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "finished_at"])


@transaction.atomic
def edit_as_reviewer(step, *, by, title, body, base_version):
    """A reviewer corrects the text before deciding: a new revision by them; the original is kept."""
    current = ReviewStep.objects.select_for_update().select_related("stage", "article").get(pk=step.pk)
    if not may_decide(by, current):
        raise ActionRefused(_("You may not edit this item now."))
    article = locked(current.article)
    if article.version != base_version:
        raise StaleEdit(article)
    title, body = plain_text(title), sanitize_body(body)
    if (title, body) == (article.title, article.body):
        return article
    article.title, article.body, article.body_length = title, body, text_length(body)
    article.version += 1
    article.last_editor = by
    article.save()
    revision = snapshot_revision(article, by=by)
    Event.objects.create(article=article, kind=Event.Kind.EDITED, actor=by, revision=revision)
    notify([article.author], Notification.Kind.EDITED_BY_REVIEWER, article=article, actor=by)
    return article


# --- Withdrawing ---------------------------------------------------------------------------


@transaction.atomic
def withdraw(article, *, by):
    """The unit takes the item back before it is signed off. Repeating it is a no-op."""
    current = locked(article)
    if current.status == Status.WITHDRAWN:
        return current
    if not current.may_move_to(Status.WITHDRAWN):
        raise ActionRefused(
            _("This item can no longer be withdrawn (%(status)s).") % {"status": current.get_status_display()}
        )
    current.status = Status.WITHDRAWN
    current.save(update_fields=["status", "updated_at"])
    ReviewStep.objects.filter(article=current, decision=Decision.PENDING).update(
        decision=Decision.CANCELLED, decided_at=timezone.now()
    )
    for run in ReviewRun.objects.filter(article=current, state=ReviewRun.State.ACTIVE):
        _finish(run, ReviewRun.State.WITHDRAWN)
    Event.objects.create(article=current, kind=Event.Kind.WITHDRAWN, actor=by)
    return current


# --- Deadlines -----------------------------------------------------------------------------


def _step_link(step):
    """Review notifications lead to the step's page, where the decision is taken."""
    return reverse("reviews:step", args=[step.pk])


def remind_overdue_steps(*, now=None):
    """Remind the reviewers of overdue steps once; escalate to the office director when a step has
    waited twice its time limit. Returns (reminded, escalated)."""
    now = now or timezone.now()
    reminded = escalated = 0
    for step in ReviewStep.objects.for_queue().filter(due_at__lt=now, reminded_at__isnull=True):
        with transaction.atomic():
            if ReviewStep.objects.filter(pk=step.pk, reminded_at__isnull=True).update(reminded_at=now):
                link = _step_link(step)
                notify(list(reviewers_of(step)), Notification.Kind.OVERDUE, article=step.article, link=link)
                reminded += 1
    for step in ReviewStep.objects.for_queue().filter(escalated_at__isnull=True, reminded_at__isnull=False):
        if step.due_at + timedelta(hours=step.stage.time_limit_hours) >= now:
            continue
        with transaction.atomic():
            if ReviewStep.objects.filter(pk=step.pk, escalated_at__isnull=True).update(escalated_at=now):
                directors = holders_of(Role.OFFICE_DIRECTOR, step.article.unit_id)
                notify(
                    list(directors), Notification.Kind.ESCALATED, article=step.article, link=_step_link(step)
                )
                escalated += 1
    return reminded, escalated


# --- Delegation (代审) ------------------------------------------------------------------------


@transaction.atomic
def name_deputy(*, deputy, starts_on, ends_on, by):
    """`by`, away from `starts_on` to `ends_on` (both included), names `deputy` to decide their
    review steps meanwhile. One deputy at a time: days that overlap another delegation are refused."""
    User.objects.select_for_update().get(pk=by.pk)  # one naming at a time per reviewer
    if not may_name_deputy(by):
        raise ActionRefused(_("Only a reviewer names a deputy."))
    if deputy.pk == by.pk or not deputy.is_active:
        raise ActionRefused(_("Choose someone else, who can sign in, as your deputy."))
    if ends_on < starts_on or ends_on < timezone.localdate():
        raise ActionRefused(_("The last day must be today or later, and not before the first."))
    overlap = Delegation.objects.filter(
        reviewer=by, ended_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if overlap is not None:
        raise ActionRefused(
            _("%(name)s is your deputy on some of these days already; end that first.")
            % {"name": overlap.deputy}
        )
    User.objects.filter(pk=deputy.pk, named_deputy=False).update(named_deputy=True)
    return Delegation.objects.create(reviewer=by, deputy=deputy, starts_on=starts_on, ends_on=ends_on)


@transaction.atomic
def end_delegation(delegation, *, by):
    """The reviewer is back early (or the deputy cannot stand in): the delegation ends now."""
    current = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if by.pk not in (current.reviewer_id, current.deputy_id):
        raise ActionRefused(_("Only the reviewer or the deputy ends a delegation."))
    if current.ended_at is None:
        current.ended_at = timezone.now()
        current.save(update_fields=["ended_at"])
    return current
