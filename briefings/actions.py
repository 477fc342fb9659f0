"""Every change to a briefing: composing, its review, issuing, signing for it, corrections.

Each action locks what it changes, checks the rule, saves, records a BriefingEvent and leaves
e-mail to `notify` (sent after commit).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleAssignment, User
from notifications.actions import notify
from notifications.models import Notification
from outlets import actions as outlet_actions
from outlets.models import Adoption
from publicity.language import office_language
from publicity.tasks import queue_after_commit
from submissions.actions import ActionRefused
from submissions.content import plain_text, sanitize_body
from submissions.models import Status as ArticleStatus

from . import permissions
from .models import (
    Briefing,
    BriefingEvent,
    BriefingPiece,
    BriefingReceipt,
    BriefingSeries,
    BriefingStep,
    Decision,
    Status,
)

logger = logging.getLogger(__name__)

URGE_REPEAT = timedelta(minutes=1)  # a second click within this is the same reminder
UNIT_ROLES = (Role.LIAISON_OFFICER, Role.LEADER_IN_CHARGE)
BRIEFING_FIELDS = ("editor_note", "report_to", "copy_to", "issue_to", "copies")


class StaleBriefing(ActionRefused):
    """Someone saved the briefing after the version this edit started from."""

    def __init__(self, current):
        super().__init__(
            _("This briefing was changed by %(name)s while you were editing. Nothing was overwritten.")
            % {"name": current.last_editor}
        )
        self.current = current


@dataclass
class PieceChange:
    piece_id: int
    title: str
    body: str
    column_id: int | None
    order: int


def locked(briefing):
    return Briefing.objects.select_for_update(of=("self",)).select_related("series").get(pk=briefing.pk)


def stored_heading(briefing):
    """The issue's heading for stored text (notes, the adoption's issue), in the site's language
    rather than that of whoever happened to act."""
    with office_language():
        return str(briefing.heading())


def _event(briefing, kind, by, note=""):
    BriefingEvent.objects.create(briefing=briefing, kind=kind, actor=by, note=note)


def _refuse_unless_editable(briefing):
    if not briefing.is_editable:
        raise ActionRefused(
            _("This briefing can no longer be edited (%(status)s).")
            % {"status": briefing.get_status_display()}
        )


# --- Composing ----------------------------------------------------------------------------------


@transaction.atomic
def create_briefing(series, *, by):
    """A new issue of `series`, being edited, with the series' distribution lines to start from."""
    if not series.is_active:
        raise ActionRefused(_("This series is no longer published."))
    briefing = Briefing.objects.create(
        series=series,
        report_to=series.report_to,
        copy_to=series.copy_to,
        issue_to=series.issue_to,
        copies=series.copies,
        created_by=by,
        last_editor=by,
    )
    _event(briefing, BriefingEvent.Kind.CREATED, by)
    return briefing


@transaction.atomic
def add_piece(briefing, article, *, by, column=None):
    """Copy a signed-off item into the briefing as a piece; the item itself is not changed.
    Adding the same item twice returns the piece it already has."""
    briefing = locked(briefing)
    _refuse_unless_editable(briefing)
    if article.status != ArticleStatus.APPROVED:
        raise ActionRefused(_("Only signed-off items can go into a briefing."))
    existing = briefing.pieces.filter(article=article).first()
    if existing:
        return existing
    if column is None:
        column = briefing.series.columns.first()
    last = briefing.pieces.aggregate(last=Max("order"))["last"] or 0
    piece = BriefingPiece.objects.create(
        briefing=briefing,
        article=article,
        column=column,
        order=last + 1,
        title=article.title,
        body=article.body,
        source=article.unit.name,
    )
    _touch(briefing, by)
    _event(briefing, BriefingEvent.Kind.PIECE_ADDED, by, note=article.title)
    return piece


@transaction.atomic
def save_briefing(briefing, *, fields, pieces, base_version, by):
    """Save the editor's changes if they start from the current version. A stale save with the very
    same content (a double click, a retried autosave) is a no-op; any other is refused."""
    current = locked(briefing)
    _refuse_unless_editable(current)
    fields = {name: fields[name] for name in BRIEFING_FIELDS} | {
        "editor_note": plain_text(fields["editor_note"])
    }
    stored = {p.pk: p for p in current.pieces.all()}
    columns = set(current.series.columns.values_list("pk", flat=True))
    changes = [_clean_piece(change, columns) for change in pieces if change.piece_id in stored]
    if current.version != base_version:
        if _briefing_differs(current, fields) or any(_piece_differs(stored[c.piece_id], c) for c in changes):
            raise StaleBriefing(current)
        return current
    for name, value in fields.items():
        setattr(current, name, value)
    for change in changes:
        piece = stored[change.piece_id]
        piece.title, piece.body, piece.column_id, piece.order = (
            change.title,
            change.body,
            change.column_id,
            change.order,
        )
        piece.save(update_fields=["title", "body", "column", "order"])
    _touch(current, by)
    return current


def _clean_piece(change, columns):
    if not change.title.strip():
        raise ActionRefused(_("Every piece needs a title."))
    column_id = change.column_id if change.column_id in columns else None
    return PieceChange(
        change.piece_id, plain_text(change.title), sanitize_body(change.body), column_id, change.order
    )


def _briefing_differs(briefing, fields):
    return any(getattr(briefing, name) != value for name, value in fields.items())


def _piece_differs(piece, change):
    return (piece.title, piece.body, piece.column_id, piece.order) != (
        change.title,
        change.body,
        change.column_id,
        change.order,
    )


def _touch(briefing, by):
    briefing.version += 1
    briefing.last_editor = by
    briefing.save()


@transaction.atomic
def remove_piece(piece, *, by, reason=""):
    """Before issue the piece simply goes (nothing was counted). After issue it is a correction: the
    adoption it gave its item is taken back, with a reason, and the timelines keep both."""
    briefing = locked(piece.briefing)
    piece = (
        BriefingPiece.objects.select_for_update().filter(pk=piece.pk, briefing=briefing).order_by().first()
    )
    if piece is None or piece.removed_at:
        return None  # removed already (a second click)
    if not briefing.is_issued:
        _refuse_unless_editable(briefing)
        piece.delete()
        _touch(briefing, by)
        _event(briefing, BriefingEvent.Kind.PIECE_REMOVED, by, note=piece.title)
        return piece
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why the piece is taken out of the issued briefing."))
    adoption = Adoption.objects.filter(pk=piece.adoption_id).first()
    if adoption is not None:
        outlet_actions.remove_adoption(adoption, by=by, reason=f"{stored_heading(briefing)}: {reason}")
        # The item's other adoptions may now earn what this one did (e.g. "best outlet only").
        Adoption.objects.filter(article_id=piece.article_id).update(needs_scoring=True)
        queue_after_commit("reports.score_pending")  # points now, not at the next sweep
    piece.removed_at, piece.removed_reason = timezone.now(), reason
    piece.save(update_fields=["removed_at", "removed_reason"])
    _event(briefing, BriefingEvent.Kind.CORRECTED, by, note=f"{piece.title}: {reason}")
    return piece


# --- Review -------------------------------------------------------------------------------------


@transaction.atomic
def submit_for_review(briefing, *, by):
    """Send the issue to its first review stage, or, after a return, to the stage that returned it."""
    briefing = locked(briefing)
    if not briefing.may_move_to(Status.IN_REVIEW):
        raise ActionRefused(_("This briefing is not being edited."))
    if not briefing.pieces.exists():
        raise ActionRefused(_("Add at least one item before submitting the briefing."))
    stages = list(briefing.series.stages.all())
    if not stages:
        raise ActionRefused(_("The series has no review stages; ask the administrator to add one."))
    returned = briefing.steps.filter(decision=Decision.RETURNED).select_related("stage").last()
    stage = returned.stage if returned and returned.stage in stages else stages[0]
    briefing.status = Status.IN_REVIEW
    briefing.save(update_fields=["status", "updated_at"])
    _event(briefing, BriefingEvent.Kind.SUBMITTED, by)
    _open_step(briefing, stage, by)
    return briefing


def _open_step(briefing, stage, by):
    step = BriefingStep.objects.create(briefing=briefing, stage=stage, version=briefing.version)
    reviewers = User.objects.filter(
        is_active=True, role_assignments__role=stage.reviewer_role, role_assignments__unit__is_active=True
    ).exclude(pk=briefing.created_by_id)
    notify(
        reviewers.distinct(),
        Notification.Kind.BRIEFING_REVIEW,
        actor=by,
        note=stored_heading(briefing),
        link=reverse("briefings:detail", args=[briefing.pk]),
    )
    return step


def _locked_step(step, *, by):
    step = (
        BriefingStep.objects.select_for_update(of=("self",))
        .select_related("stage", "reviewer")
        .get(pk=step.pk)
    )
    if step.decision != Decision.PENDING:
        raise ActionRefused(
            _("%(name)s already decided on this stage (%(decision)s); nothing was changed.")
            % {"name": step.reviewer, "decision": step.get_decision_display()}
        )
    briefing = locked(step.briefing)
    if not permissions.may_decide(by, step, briefing):
        raise ActionRefused(_("You may not decide on this stage of the briefing."))
    return step, briefing


def _decide(step, decision, *, by, comment):
    step.decision, step.reviewer, step.comment, step.decided_at = decision, by, comment, timezone.now()
    step.save(update_fields=["decision", "reviewer", "comment", "decided_at"])


@transaction.atomic
def approve(step, *, by, comment=""):
    """Approve one stage; the issue moves to the next stage, or is ready to issue after the last."""
    step, briefing = _locked_step(step, by=by)
    _decide(step, Decision.APPROVED, by=by, comment=comment.strip())
    _event(briefing, BriefingEvent.Kind.APPROVED, by, note=f"{step.stage}: {comment}".strip(": "))
    later = briefing.series.stages.filter(order__gt=step.stage.order).first()
    if later is not None:
        _open_step(briefing, later, by)
    else:
        briefing.status = Status.APPROVED
        briefing.save(update_fields=["status", "updated_at"])
    return step


@transaction.atomic
def return_for_revision(step, *, by, comment):
    """Send the issue back to its editors; the comment (required) tells them why."""
    comment = comment.strip()
    if not comment:
        raise ActionRefused(_("Say why the briefing is returned."))
    step, briefing = _locked_step(step, by=by)
    _decide(step, Decision.RETURNED, by=by, comment=comment)
    briefing.status = Status.RETURNED
    briefing.save(update_fields=["status", "updated_at"])
    _event(briefing, BriefingEvent.Kind.RETURNED, by, note=f"{step.stage}: {comment}")
    editors = User.objects.filter(pk__in={briefing.created_by_id, briefing.last_editor_id})
    notify(
        editors,
        Notification.Kind.BRIEFING_RETURNED,
        actor=by,
        note=f"{stored_heading(briefing)}\n{comment}",
        link=reverse("briefings:detail", args=[briefing.pk]),
    )
    return step


# --- Issuing, signing, urging -------------------------------------------------------------------


def issue(briefing, *, units, by, issued_on=None):
    """Number the approved issue, send it to `units` (each to sign for it) and count each piece as
    adopted by the series' briefing outlet. Two issues at once get consecutive numbers: the series'
    row is locked while numbering, and the unique constraints refuse any duplicate."""
    if not units:
        raise ActionRefused(_("Choose at least one unit to send the briefing to."))
    try:
        return _issue(briefing, units=units, by=by, issued_on=issued_on or timezone.localdate())
    except IntegrityError:
        raise ActionRefused(_("Another issue took this number at the same moment; try again.")) from None


@transaction.atomic
def _issue(briefing, *, units, by, issued_on):
    series = BriefingSeries.objects.select_for_update().get(pk=briefing.series_id)
    briefing = locked(briefing)
    if not briefing.may_move_to(Status.ISSUED):
        raise ActionRefused(_("Only an approved briefing can be issued."))
    briefing.year = issued_on.year
    briefing.number, briefing.total_number = next_numbers(series, issued_on.year)
    briefing.status, briefing.issued_on, briefing.issued_at = Status.ISSUED, issued_on, timezone.now()
    briefing.save()
    BriefingReceipt.objects.bulk_create(BriefingReceipt(briefing=briefing, unit=unit) for unit in units)
    for piece in briefing.pieces.select_related("article"):
        _count_adoption(briefing, piece, by)
    _event(briefing, BriefingEvent.Kind.ISSUED, by, note=", ".join(u.name for u in units))
    queue_after_commit("reports.score_pending")  # points now, not at the next sweep
    _tell_units(briefing, [u.pk for u in units], Notification.Kind.BRIEFING_ISSUED, by)
    return briefing


def next_numbers(series, year):
    """(number in the year, running total) of the next issue. Call with the series' row locked."""
    issued = Briefing.objects.filter(series=series, number__isnull=False)
    in_year = issued.filter(year=year) if series.restarts_yearly else issued
    number = (in_year.aggregate(last=Max("number"))["last"] or 0) + 1
    total = max(issued.aggregate(last=Max("total_number"))["last"] or 0, series.total_before) + 1
    return number, total


def _count_adoption(briefing, piece, by):
    outlet = briefing.series.outlet
    if Adoption.objects.filter(article_id=piece.article_id, outlet=outlet).exists():
        return  # used in an earlier issue of the series: an item counts once per outlet
    issue = stored_heading(briefing)[:100]
    piece.adoption = outlet_actions.record_office_adoption(
        piece.article, outlet, adopted_on=briefing.issued_on, by=by, issue=issue
    )
    piece.save(update_fields=["adoption"])


def _tell_units(briefing, unit_ids, kind, by):
    people = User.objects.filter(
        pk__in=RoleAssignment.objects.filter(unit_id__in=unit_ids, role__in=UNIT_ROLES).values("user_id")
    )
    notify(
        people,
        kind,
        actor=by,
        note=stored_heading(briefing),
        link=reverse("briefings:detail", args=[briefing.pk]),
    )


@transaction.atomic
def sign_for(receipt, *, by):
    """The unit signs for the issue (签收) — an officer's or leader's explicit click. Signing twice
    keeps the first signature."""
    receipt = (
        BriefingReceipt.objects.select_for_update(of=("self",))
        .select_related("briefing", "unit")
        .get(pk=receipt.pk)
    )
    if not permissions.may_sign(by, receipt):
        raise ActionRefused(_("Only an officer or leader of the unit can sign for it."))
    if receipt.is_signed:
        return receipt
    receipt.signed_by, receipt.signed_at = by, timezone.now()
    receipt.save(update_fields=["signed_by", "signed_at"])
    _event(receipt.briefing, BriefingEvent.Kind.SIGNED, by, note=receipt.unit.name)
    return receipt


@transaction.atomic
def urge_unsigned(briefing, *, by, now=None):
    """Remind the units that have not signed yet. A second click within a minute sends nothing more.
    Returns the units reminded."""
    now = now or timezone.now()
    briefing = locked(briefing)
    waiting = BriefingReceipt.objects.select_for_update().filter(briefing=briefing, signed_at__isnull=True)
    due = [r for r in waiting.select_related("unit") if not r.urged_at or r.urged_at <= now - URGE_REPEAT]
    if not due:
        return []
    BriefingReceipt.objects.filter(pk__in=[r.pk for r in due]).update(urged_at=now)
    _tell_units(briefing, [r.unit_id for r in due], Notification.Kind.BRIEFING_URGED, by)
    _event(briefing, BriefingEvent.Kind.URGED, by, note=", ".join(r.unit.name for r in due))
    return [r.unit for r in due]
