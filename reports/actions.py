"""Every change the assessment makes: adoptions entered by the office, rebuilt points, reminders,
bulletins. Views and tasks call these; side effects (e-mail, tasks) run after commit."""

import logging
from datetime import date, timedelta
from functools import partial

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleAssignment, User
from notifications.actions import notify
from notifications.models import Notification
from outlets import actions as outlet_actions
from outlets.models import Adoption
from publicity.tasks import queue_after_commit
from submissions.actions import ActionRefused
from submissions.content import sanitize_body

from . import scoring, tallies
from .figures import assessed_units, unit_figures
from .models import AssessmentYear, Bulletin, BulletinReceipt, BulletinRegeneration, Reminder, YearEvent
from .periods import FIRST_YEAR, Period

logger = logging.getLogger(__name__)

URGE_REPEAT = timedelta(minutes=1)  # a second click within this is the same reminder


class StaleBulletin(ActionRefused):
    """Someone saved the bulletin after the version this edit started from."""


class ImportFailed(ActionRefused):
    """A sheet had errors: nothing was imported. `errors` is [(row number, message)]."""

    def __init__(self, errors):
        super().__init__(_("Nothing was imported: %(count)s rows have errors.") % {"count": len(errors)})
        self.errors = errors


# --- Adoptions ----------------------------------------------------------------------------------


@transaction.atomic
def record_adoption(article, outlet, *, adopted_on, by, **details):
    """The office records that `outlet` published `article`; the item's points are rebuilt at once.
    Refused for a day in a closed year."""
    refuse_closed_year(adopted_on)
    adoption = outlet_actions.record_office_adoption(article, outlet, adopted_on=adopted_on, by=by, **details)
    scoring.score_articles([article.pk])
    return adoption


@transaction.atomic
def remove_adoption(adoption, *, by, reason):
    """Take back an adoption recorded by mistake; the item's points are rebuilt at once. Refused for
    an adoption in a closed year."""
    refuse_closed_year(adoption.adopted_on)
    removed = outlet_actions.remove_adoption(adoption, by=by, reason=reason)
    if removed:
        scoring.score_articles([removed.article_id])
    return removed


@transaction.atomic
def import_adoptions(rows, *, by):
    """All rows or none. `rows` are dicts for `record_adoption` with "row", "article" and "outlet"."""
    errors, adoptions = [], []
    for year in sorted({row["adopted_on"].year for row in rows}):  # in one order: no deadlock
        scoring.lock_year(year, exclusive=False)
    for row in rows:
        details = {k: v for k, v in row.items() if k not in ("row", "article", "outlet")}
        try:
            with transaction.atomic():
                refuse_closed_year(row["adopted_on"])
                adoptions.append(
                    outlet_actions.record_office_adoption(
                        row["article"], row["outlet"], by=by, source=Adoption.Source.IMPORT, **details
                    )
                )
        except ActionRefused as refused:
            errors.append((row["row"], str(refused)))
    if errors:
        raise ImportFailed(errors)
    scoring.score_articles({a.article_id for a in adoptions})
    return adoptions


def refuse_closed_year(day):
    """Refuse a change to the adoptions of a closed year; the year's row stays locked until the change
    commits, so the year cannot be closed in between."""
    if scoring.lock_year(day.year, exclusive=False).is_closed:
        raise ActionRefused(
            _("%(year)s is closed: its adoptions cannot change until the office reopens it.")
            % {"year": day.year}
        )


# --- Points -------------------------------------------------------------------------------------


def rescore_adoptions(adoptions, periods=None):
    """Rules changed for these adoptions, in these periods ([(first day, last day)], None for open;
    None: every period): mark those outside closed years, and rebuild their items' points after
    commit."""
    if periods is not None:
        adoptions = adoptions.filter(_within("adopted_on", periods))
    adoptions = adoptions.exclude(adopted_on__year__in=AssessmentYear.closed_years())
    adoptions.filter(needs_scoring=False).update(needs_scoring=True)
    queue_after_commit("reports.score_pending")


def rescore_minimums(periods=None):
    """A minimum or the deductions changed in these periods (None: every period): rebuild the finished
    months they cover after commit."""
    days = [[d.isoformat() if d else None for d in period] for period in periods] if periods else None
    queue_after_commit("reports.score_minimums", days)


def rule_changed(levels=(), outlet_ids=(), periods=None):
    """A scoring rule for these levels or outlets was added, changed or removed; it applied in these
    periods before and after the change."""
    adoptions = Adoption.objects.filter(Q(level__in=levels) | Q(outlet_id__in=outlet_ids))
    rescore_adoptions(adoptions, periods)


def policy_changed(periods=None):
    rescore_adoptions(Adoption.objects.all(), periods)
    rescore_minimums(periods)


def score_all_minimums(today=None, periods=None):
    months = scoring.months_to_assess(today, covering=periods)
    lines = sum(scoring.score_month_minimums(m, today=today, recount=False) for m in months)
    tallies.recount_due()
    return lines


def _within(field, periods):
    """A filter for a day in any of the periods [(first, last)]; None leaves that end open."""
    found = Q(pk__in=[])
    for first, last in periods:
        bounds = {f"{field}__gte": first, f"{field}__lte": last}
        bounds = {lookup: day for lookup, day in bounds.items() if day is not None}
        if not bounds:
            return Q()  # open at both ends: every day
        found |= Q(**bounds)
    return found


def close_year(year, *, by, reason, today=None):
    """Freeze a year that is over: its points are brought up to date, then nothing is recomputed or
    counted into it until the office reopens it. Logged with who and why."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why the year is closed."))
    today = today or timezone.localdate()
    if not FIRST_YEAR <= year < today.year:
        raise ActionRefused(_("Only a year that is over can be closed."))
    row = scoring.lock_year(year)
    if row.is_closed:
        return row  # a double click
    pending = Adoption.objects.filter(adopted_on__year=year, needs_scoring=True).values_list("article_id")
    scoring.score_articles({article_id for (article_id,) in pending})
    for month in Period("year", year).months:
        scoring.score_month_minimums(month, today=today)
    row.closed_at, row.closed_by = timezone.now(), by
    row.save(update_fields=["closed_at", "closed_by"])
    YearEvent.objects.create(year=row, kind=YearEvent.Kind.CLOSED, actor=by, reason=reason)
    return row


@transaction.atomic
def reopen_year(year, *, by, reason):
    """Open a closed year again on purpose: its points are recomputed by today's rules for its days.
    Logged with who and why."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why the year is reopened."))
    row = AssessmentYear.objects.select_for_update().filter(year=year, closed_at__isnull=False).first()
    if row is None:
        return None  # not closed (a double click)
    row.closed_at, row.closed_by = None, None
    row.save(update_fields=["closed_at", "closed_by"])
    YearEvent.objects.create(year=row, kind=YearEvent.Kind.REOPENED, actor=by, reason=reason)
    whole_year = [(date(year, 1, 1), date(year, 12, 31))]
    rescore_adoptions(Adoption.objects.all(), whole_year)
    rescore_minimums(whole_year)
    return row


# --- Reminders ----------------------------------------------------------------------------------


@transaction.atomic
def urge(unit, *, by=None, today=None):
    """Remind a unit behind its monthly minimum (催报): its liaison officers and leaders in charge, in
    the app and by e-mail. A second click straight after the first sends nothing more; the month-end
    job (`by=None`) urges a unit once a month, even when two jobs run at once (returns None then)."""
    period = Period.containing("month", today or timezone.localdate())
    recent = Reminder.objects.filter(
        unit=unit, month=period.start, by=by, sent_at__gte=timezone.now() - URGE_REPEAT
    )
    if by is not None and (existing := recent.first()):
        return existing
    reminder = _claim_reminder(unit, period, by=by)
    if reminder is None:
        return None  # the month-end job has urged this unit this month already
    row = unit_figures(period, today=today, units=[unit])[0]
    people = User.objects.filter(
        is_active=True,
        role_assignments__unit=unit,
        role_assignments__role__in=[Role.LIAISON_OFFICER, Role.LEADER_IN_CHARGE],
    ).distinct()

    def note():  # in each recipient's language
        return _(
            "%(unit)s, %(month)s: %(submitted)s submitted (minimum %(min_submitted)s), "
            "%(adopted)s adopted (minimum %(min_adopted)s)."
        ) % {
            "unit": unit,
            "month": period.label,
            "submitted": row.figures.submitted,
            "min_submitted": row.figures.min_submitted,
            "adopted": row.figures.adopted,
            "min_adopted": row.figures.min_adopted,
        }

    sent = notify(list(people), Notification.Kind.URGED, actor=by, note=note, link=reverse("reports:my_unit"))
    reminder.recipients = len(sent)
    reminder.save(update_fields=["recipients"])
    return reminder


def _claim_reminder(unit, period, *, by):
    """The reminder's row, written before anyone is told. The month-end job's row is unique per unit
    and month: a second job waits for the first one's transaction, then finds the row and stops."""
    if by is not None:
        return Reminder.objects.create(unit=unit, month=period.start, by=by)
    try:
        with transaction.atomic():
            return Reminder.objects.create(unit=unit, month=period.start, automatic=True)
    except IntegrityError:
        return None


def remind_units_behind(*, today=None, days_before_end=3):
    """The month-end job: a few days before the month ends, urge every unit still below its minimum,
    once a month. Returns the units urged."""
    today = today or timezone.localdate()
    period = Period.containing("month", today)
    if (period.end - today).days > days_before_end:
        return []
    job = Reminder.objects.filter(month=period.start, automatic=True)
    already = set(job.values_list("unit_id", flat=True))
    behind = [
        row.subject
        for row in unit_figures(period, today=today)
        if not row.figures.minimum_met and row.subject.pk not in already
    ]
    return [unit for unit in behind if urge(unit, today=today) is not None]


# --- Bulletins ----------------------------------------------------------------------------------


@transaction.atomic
def generate_bulletin(period, *, by, today=None):
    """Write the period's bulletin from its figures, or rewrite a draft; a published one stays."""
    from .bulletins import compose

    title, body, figures = compose(period, today=today)
    bulletin = Bulletin.objects.select_for_update().filter(period=period.kind, year=period.year,
                                                           number=period.number).first()  # fmt: skip
    if bulletin and bulletin.is_published:
        raise ActionRefused(_("This bulletin is already published."))
    if bulletin is None:
        return Bulletin.objects.create(period=period.kind, year=period.year, number=period.number,
                                       title=title, body=body, figures=figures, created_by=by)  # fmt: skip
    bulletin.title, bulletin.body, bulletin.figures = title, body, figures
    bulletin.version += 1
    bulletin.save(update_fields=["title", "body", "figures", "version"])
    return bulletin


@transaction.atomic
def edit_bulletin(bulletin, *, title, body, version, by):
    """Save the office's wording. Refused if someone saved in between (the version moved on)."""
    current = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if current.is_published:
        raise ActionRefused(_("This bulletin is already published."))
    if current.version != version:
        if current.title == title and current.body == sanitize_body(body):
            return current  # the same save twice
        raise StaleBulletin(
            _("Someone else changed this bulletin since you opened it. Reload to see their text.")
        )
    current.title, current.body = title.strip(), sanitize_body(body)
    current.version += 1
    current.save(update_fields=["title", "body", "version"])
    return current


@transaction.atomic
def publish_bulletin(bulletin, *, by):
    """Freeze the text as PDF and Word files and send it to every unit, in the app and by e-mail."""
    current = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if current.is_published:
        return current  # a double click
    current.state, current.published_at, current.published_by = Bulletin.State.PUBLISHED, timezone.now(), by
    _draw_files(current)
    current.save()
    units = assessed_units()
    people = User.objects.filter(
        is_active=True,
        role_assignments__unit__in=units,
        role_assignments__role__in=[Role.LIAISON_OFFICER, Role.LEADER_IN_CHARGE],
    ).distinct()
    link = reverse("reports:bulletin", args=[current.pk])
    notify(list(people), Notification.Kind.BULLETIN, actor=by, note=current.title, link=link)
    return current


@transaction.atomic
def regenerate_bulletin_files(bulletin, *, by):
    """Draw a published bulletin's PDF and Word files again from its frozen title, text and figures
    (say, files published before the PDFs embedded a Chinese font). The issue date stays; who did it
    and when is logged; the old files are removed once the new ones are committed."""
    current = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if not current.is_published:
        raise ActionRefused(_("Only a published bulletin has files to make again."))
    old = {f.name for f in (current.pdf, current.docx) if f}
    _draw_files(current)
    current.save(update_fields=["pdf", "docx"])
    BulletinRegeneration.objects.create(bulletin=current, by=by)
    logger.info("Bulletin %s: files made again by user %s", current.pk, by.pk)
    replaced = old - {current.pdf.name, current.docx.name}
    transaction.on_commit(partial(_delete_files, current.pdf.storage, replaced))
    return current


def _draw_files(bulletin):
    from .documents import bulletin_docx, bulletin_pdf

    bulletin.pdf.save(f"bulletin-{bulletin.pk}.pdf", ContentFile(bulletin_pdf(bulletin)), save=False)
    bulletin.docx.save(f"bulletin-{bulletin.pk}.docx", ContentFile(bulletin_docx(bulletin)), save=False)


def _delete_files(storage, names):
    for name in names:
        storage.delete(name)


def mark_bulletin_read(bulletin, *, by):
    """The reader's units have read the bulletin (the first reader of each unit counts)."""
    if not bulletin.is_published:
        return 0
    unit_ids = set(
        RoleAssignment.objects.filter(user=by, unit__in=assessed_units()).values_list("unit_id", flat=True)
    )
    done = set(BulletinReceipt.objects.filter(bulletin=bulletin).values_list("unit_id", flat=True))
    created = BulletinReceipt.objects.bulk_create(
        [BulletinReceipt(bulletin=bulletin, unit_id=u, read_by=by) for u in unit_ids - done],
        ignore_conflicts=True,
    )
    return len(created)
