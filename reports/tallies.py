"""Figures kept up to date as items move: a `Tally` per unit (and per officer) and month, quarter and
year, which the dashboard, rankings, year-end figures and home page read instead of counting items.

Keeping them exact: whatever changes what an item counts for — submitting, withdrawing or signing it
off, a delivery delivered, an adoption recorded or removed, co-contributing units, points rebuilt —
writes a `Recount` for each unit and officer and month it touches, in the same transaction. After the
commit a task (and the scoring sweeper, and a page about to read, should that have failed) recounts
the named cells from the items, for just those units and periods, by `reports.figures._collect`,
the same count the pages made before. A recount locks its cells first, so of two recounts at once the
second waits and counts what the first could not see: the last one written is always the newest.

`submissions`, `outlets` and `reviews` know nothing of this: the changes to their rows are seen here
through model signals (their actions write rows with `save()`, `create()` and `delete()`), except a
delivery delivered, which the worker writes with a bulk update and the scoring sweeper picks up
(`mark_delivered`); scoring marks what it rewrites itself.
"""

import json
import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import Max, Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.utils import timezone

from outlets.models import Adoption, Delivery
from publicity.tasks import queue_after_commit
from submissions.models import Article

from .models import DeliveredSweep, Recount, Score, Tally, YearMedians
from .periods import Kind, Period, add_months, month_start

logger = logging.getLogger(__name__)

UNIT, OFFICER = "unit_id", "author_id"  # the keys `reports.figures._collect` counts by
BREAKDOWNS = ["by_outlet", "own_by_outlet", "by_category", "own_by_category"]
FIELDS = ["submitted", "signed_off", "signed_off_adopted", "delivered", "adopted", "adoptions", "points"]
SWEEP_MARGIN = timedelta(minutes=10)  # longer than any delivery's transaction
HEAL_AT_MOST = 1000  # Recount rows a page view recounts before reading
BATCH = 500_000  # Recount rows taken at a time (a rescoring marks every month of every unit)
FILTER_AT_MOST = 20  # units or officers of a period recounted by a filtered count


# --- Reading ----------------------------------------------------------------------------------------


def figures_for(period, key, subjects=None, *, breakdowns=(), healed=False):
    """{unit or officer id: Figures} for the period from the kept figures. One query, and one more
    to look for figures not yet recounted (recounted first if there are) unless `healed` (the caller
    has looked already, in the same request). `breakdowns`: also these of the items per outlet and
    category (`BREAKDOWNS`), which only the year-end figures show."""
    from .figures import Figures  # figures reads this module

    if not healed:
        heal()
    tallies = Tally.objects.filter(kind=period.kind, start=period.start)
    column, other = ("unit_id", "officer_id") if key == UNIT else ("officer_id", "unit_id")
    tallies = tallies.filter(**{f"{other}__isnull": True})  # as the unique index reads it
    if subjects is not None:
        tallies = tallies.filter(**{f"{column}__in": subjects})
    extra = [name for name in BREAKDOWNS if name in breakdowns]
    found = {}
    # rows of values, not models: a hundred units' JSON is decoded once, not copied about
    for subject, own, own_by_level, *values in tallies.values_list(
        column, "own", "own_by_level", *FIELDS, *extra
    ):
        counts, more = values[: len(FIELDS)], values[len(FIELDS) :]
        if not any(counts):
            continue  # counted again to nothing: as if never counted
        figures = Figures(**dict(zip(FIELDS, counts, strict=True)))
        figures.own, figures.own_by_level = own, own_by_level
        for name, counted in zip(extra, more, strict=True):  # JSON keys are strings; ids are numbers
            setattr(figures, name, {int(k): n for k, n in counted.items()})
        found[subject] = figures
    return found


def month_tallies(start, end, key, subjects=None, fields=("submitted", "adopted"), *, healed=False):
    """Rows (subject id, month, *fields) of the months in [start, end). One query (and the heal's,
    unless `healed`, as in `figures_for`)."""
    if not healed:
        heal()
    column, other = ("unit_id", "officer_id") if key == UNIT else ("officer_id", "unit_id")
    tallies = Tally.objects.filter(kind=Kind.MONTH, start__gte=start, start__lt=end)
    tallies = tallies.filter(**{f"{other}__isnull": True})  # as the unique index reads it
    if subjects is not None:
        tallies = tallies.filter(**{f"{column}__in": subjects})
    return tallies.values_list(column, "start", *fields)


def heal():
    """Recount what is due before reading: normally nothing (one query), as the recount after each
    change's commit has done it. A long backlog (a rescoring under way) is left to its own recount
    rather than to a page view."""
    due = len(Recount.objects.values_list("pk", flat=True)[: HEAL_AT_MOST + 1])
    if due and due <= HEAL_AT_MOST:
        recount_due()


# --- Marking --------------------------------------------------------------------------------------


def mark(cells, recount=True):
    """Recount these (unit id or None, officer id or None, day) cells' months after the commit (or,
    `recount` False, when the caller calls `recount_due`, once for many changes)."""
    rows = {(unit, officer, month_start(_day(day))) for unit, officer, day in cells if day is not None}
    rows = [Recount(unit_id=u, officer_id=o, month=m) for u, o, m in rows if u is not None or o is not None]
    if rows:
        Recount.objects.bulk_create(rows, batch_size=1000)
        if recount:
            # the worker recounts, not the request: a year's cells take a few hundred milliseconds
            queue_after_commit("reports.recount_figures")


def mark_item(article, days, *, units=None):
    """Recount the item's unit, co-contributing units (or `units`) and author for these days."""
    days = [d for d in days if d is not None]
    if not days:
        return
    if units is None:
        units = {article.unit_id, *_co_unit_ids(article.pk)}
    mark([(u, None, d) for u in units for d in days] + [(None, article.author_id, d) for d in days])


def _day(value):
    return timezone.localdate(value) if isinstance(value, datetime) else value


def _co_unit_ids(article_id):
    return Article.co_units.through.objects.filter(article_id=article_id).values_list("unit_id", flat=True)


def _item_days(article):
    """Every day on which the item counts somewhere: submitted, signed off, delivered, adopted."""
    delivered = Delivery.objects.filter(article_id=article.pk, state=Delivery.State.DELIVERED)
    adopted = Adoption.objects.filter(article_id=article.pk).values_list("adopted_on", flat=True)
    return [
        article.submitted_at,
        article.signed_off_at,
        *delivered.values_list("delivered_at", flat=True),
        *adopted,
    ]


# the fields of an item that decide where it counts, as last read from the database
ITEM_FIELDS = ("unit_id", "author_id", "status", "submitted_at", "signed_off_at")


def _remember(sender, instance, **kwargs):
    # __dict__, not getattr: a deferred field must not cost a query
    instance._counted_as = {name: instance.__dict__.get(name) for name in ITEM_FIELDS}


def _article_saved(sender, instance, created=False, **kwargs):
    before = getattr(instance, "_counted_as", {})
    if any(name not in instance.__dict__ for name in ITEM_FIELDS):  # saved from a partial read
        instance.refresh_from_db(fields=[n for n in ITEM_FIELDS if n not in instance.__dict__])
    now = {name: instance.__dict__.get(name) for name in ITEM_FIELDS}
    _remember(sender, instance)
    if not created and before == now:
        return
    if not any(
        (now["submitted_at"], now["signed_off_at"], before.get("submitted_at"), before.get("signed_off_at"))
    ):
        return  # a draft: it counts nowhere yet
    moved = (
        before.get("unit_id", now["unit_id"]) != now["unit_id"]
        or before.get("author_id", now["author_id"]) != now["author_id"]
    )
    days = _item_days(instance) if moved else [now["submitted_at"], now["signed_off_at"]]
    days += [before.get("submitted_at"), before.get("signed_off_at")]
    units = {now["unit_id"], before.get("unit_id"), *_co_unit_ids(instance.pk)} - {None}
    mark_item(instance, days, units=units)
    if before.get("author_id") not in (None, now["author_id"]):
        mark([(None, before["author_id"], d) for d in days if d is not None])


def _article_deleted(sender, instance, **kwargs):
    mark_item(instance, [instance.submitted_at, instance.signed_off_at])


def _co_units_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # a unit's items changed: `pk_set` names the items
        items = (
            Article.objects.filter(pk__in=pk_set or ())
            if action != "pre_clear"
            else instance.co_articles.all()
        )
        for article in items:
            mark_item(article, _item_days(article), units={instance.pk})
        return
    units = pk_set if action != "pre_clear" else set(_co_unit_ids(instance.pk))
    if units and (instance.submitted_at or instance.signed_off_at):
        mark([(u, None, d) for u in units for d in _item_days(instance) if d is not None])


def _adoption_changed(sender, instance, **kwargs):
    article = Article.objects.filter(pk=instance.article_id).first()
    if article is not None:
        # the day it was published, and the day the item was signed off (signed off and adopted)
        mark_item(
            article, [instance.adopted_on, getattr(instance, "_adopted_on", None), article.signed_off_at]
        )


def _remember_adoption(sender, instance, **kwargs):
    instance._adopted_on = instance.__dict__.get("adopted_on")


def _delivery_saved(sender, instance, **kwargs):
    if instance.state == Delivery.State.DELIVERED and instance.delivered_at:
        mark_item(_article(instance.article_id), [instance.delivered_at])


@transaction.atomic
def mark_delivered(now=None):
    """Mark the figures of the items delivered since the last sweep: the delivery worker sets a
    delivery delivered with a bulk update (its statements are counted), which no signal sees. A
    margin covers deliveries whose transaction was still open at the last sweep."""
    now = now or timezone.now()
    sweep = DeliveredSweep.objects.select_for_update().filter(pk=1).first() or DeliveredSweep(pk=1)
    delivered = Delivery.objects.filter(state=Delivery.State.DELIVERED)
    if sweep.since is not None:
        delivered = delivered.filter(delivered_at__gte=sweep.since)
    found = list(
        delivered.values_list("article_id", "article__unit_id", "article__author_id", "delivered_at")
    )
    credits = Article.co_units.through.objects.filter(article_id__in={row[0] for row in found})
    co_units = defaultdict(list)
    for article_id, unit_id in credits.values_list("article_id", "unit_id"):
        co_units[article_id].append(unit_id)
    cells = []
    for article_id, unit_id, author_id, day in found:
        cells += [(u, None, day) for u in (unit_id, *co_units[article_id])] + [(None, author_id, day)]
    mark(cells, recount=False)
    sweep.since = now - SWEEP_MARGIN
    sweep.save()
    return len(found)


def _article(article_id):
    return Article.objects.only("pk", "unit_id", "author_id").get(pk=article_id)


def connect():
    """Listen to the rows items count from (called once, by the app's `ready()`)."""
    post_init.connect(_remember, sender=Article, dispatch_uid="tallies_article_init")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="tallies_article_saved")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="tallies_article_deleted")
    m2m_changed.connect(_co_units_changed, sender=Article.co_units.through, dispatch_uid="tallies_co_units")
    post_init.connect(_remember_adoption, sender=Adoption, dispatch_uid="tallies_adoption_init")
    post_save.connect(_adoption_changed, sender=Adoption, dispatch_uid="tallies_adoption_saved")
    post_delete.connect(_adoption_changed, sender=Adoption, dispatch_uid="tallies_adoption_deleted")
    post_save.connect(_delivery_saved, sender=Delivery, dispatch_uid="tallies_delivery_saved")
    post_delete.connect(_delivery_saved, sender=Delivery, dispatch_uid="tallies_delivery_deleted")


# --- Recounting -------------------------------------------------------------------------------------


def recount_due():
    """Recount the cells that `Recount` rows name, in batches; returns how many cells were recounted.
    Rows another recount holds are left to it."""
    done = 0
    while True:
        with transaction.atomic():
            due = list(
                Recount.objects.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", "unit_id", "officer_id", "month")[:BATCH]
            )
            if not due:
                return done
            cells = set()
            for _pk, unit_id, officer_id, month in due:
                key, subject = (UNIT, unit_id) if unit_id is not None else (OFFICER, officer_id)
                cells |= {(key, subject, Period.containing(kind, month)) for kind in Kind.ALL}
            recount(cells)
            Recount.objects.filter(pk__in=[row[0] for row in due]).delete()
            done += len(cells)


@transaction.atomic
def recount(cells):
    """Count these (key, unit or officer id, Period) cells again from the items."""
    from .figures import Figures, _collect  # figures reads this module

    wanted = defaultdict(set)
    for key, subject, period in cells:
        wanted[period, key].add(subject)
    locked = _lock(wanted)
    changed = []
    for (period, key), subjects in wanted.items():
        # for many units or officers, one count of all of them is quicker than a filtered one
        only = sorted(subjects) if len(subjects) <= FILTER_AT_MOST else None
        found = _collect(period, key, subjects=only, levels=True)
        for subject in subjects:
            tally = locked[period.kind, period.start, key, subject]
            before = _kept(tally)
            _fill(tally, found.get(subject) or Figures())
            if _kept(tally) != before:
                changed.append(tally)
    _write(changed)
    _medians_moved(wanted)


JSON_FIELDS = ["own", "own_by_level", *BREAKDOWNS]
WRITTEN = [*FIELDS, *JSON_FIELDS]


def _kept(tally):
    """What a row holds as the database gives it back (a JSON object's keys are strings)."""
    return (
        *(getattr(tally, name) for name in FIELDS),
        *(json.loads(json.dumps(getattr(tally, name), cls=DjangoJSONEncoder)) for name in JSON_FIELDS),
    )


def _write(tallies, batch=500):
    """Save the recounted rows. On PostgreSQL one `UPDATE … FROM (VALUES …)` per batch: Django's
    bulk_update builds a CASE of every row for every column (13) in Python, most of the bench data
    set's build (24 → 13 s with this and the unchanged cells left alone)."""
    connection = connections[Tally.objects.db]
    if connection.vendor != "postgresql":
        Tally.objects.bulk_update(tallies, WRITTEN, batch_size=batch)
        return
    fields = [Tally._meta.get_field(name) for name in WRITTEN]
    table = connection.ops.quote_name(Tally._meta.db_table)
    casts = ", ".join(["%s::bigint", *(f"%s::{field.db_type(connection)}" for field in fields)])
    names = [connection.ops.quote_name(field.column) for field in fields]
    columns, assign = ", ".join(names), ", ".join(f"{name} = v.{name}" for name in names)
    with connection.cursor() as cursor:
        for at in range(0, len(tallies), batch):
            rows = tallies[at : at + batch]
            params = [
                value
                for tally in rows
                for value in (
                    tally.pk,
                    *(field.get_db_prep_save(getattr(tally, field.attname), connection) for field in fields),
                )
            ]
            cursor.execute(
                f"UPDATE {table} SET {assign} FROM (VALUES {', '.join([f'({casts})'] * len(rows))})"
                f" AS v(id, {columns}) WHERE {table}.id = v.id",
                params,
            )


def _medians_moved(wanted):
    """The years of these units' recounted cells, and the office's, have medians to count again."""
    moved = defaultdict(set)
    for period, key in wanted:
        if key == UNIT and period.kind == Kind.YEAR:
            moved[period.year] |= wanted[period, key]
    for year, units in moved.items():
        YearMedians.objects.filter(Q(unit__in=units) | Q(unit__isnull=True), year=year, stale=False).update(
            stale=True
        )


# --- Medians ----------------------------------------------------------------------------------------


def medians(year, unit=None):
    """(median days to submit, median hours to sign off) of a unit's year, or the office's (None), as
    kept: counted here the first time they are asked for, then by the sweeper whenever they moved."""
    unit_id = unit.pk if unit is not None else None
    kept = YearMedians.objects.filter(year=year, unit_id=unit_id).values_list(
        "days_to_submit", "hours_to_sign_off"
    )
    if found := kept.first():
        return found
    return _count_medians(year, unit_id)


def recount_medians():
    """Count again the medians that moved (the scoring sweeper); returns how many were counted. The
    mark is taken off before counting: a change meanwhile marks it again, for the next sweep."""
    done = 0
    for row in YearMedians.objects.filter(stale=True).order_by("pk"):
        if YearMedians.objects.filter(pk=row.pk, stale=True).update(stale=False):
            _count_medians(row.year, row.unit_id)
            done += 1
    return done


def _count_medians(year, unit_id):
    from .figures import assessed_units  # figures reads this module
    from .yearend import count_medians

    unit_ids = [unit_id] if unit_id is not None else [u.pk for u in assessed_units()]
    days, hours = count_medians(year, unit_ids)
    YearMedians.objects.update_or_create(
        year=year, unit_id=unit_id, defaults={"days_to_submit": days, "hours_to_sign_off": hours}
    )
    return days, hours


def _lock(wanted):
    """The cells' rows, made where missing and locked (in one order, so recounts cannot deadlock)."""
    column = {UNIT: "unit_id", OFFICER: "officer_id"}
    new = [
        Tally(kind=period.kind, start=period.start, **{column[key]: subject})
        for (period, key), subjects in wanted.items()
        for subject in subjects
    ]
    Tally.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    which = Q(pk__in=[])
    for (period, key), subjects in wanted.items():
        other = column[OFFICER if key == UNIT else UNIT]  # as the unique index reads it
        which |= Q(
            kind=period.kind, start=period.start, **{f"{column[key]}__in": subjects, f"{other}__isnull": True}
        )
    rows = Tally.objects.select_for_update().filter(which).order_by("pk")
    found = {}
    for tally in rows:
        key, subject = (UNIT, tally.unit_id) if tally.unit_id is not None else (OFFICER, tally.officer_id)
        found[tally.kind, tally.start, key, subject] = tally
    return found


def _fill(tally, figures):
    for name in FIELDS:
        setattr(tally, name, getattr(figures, name))
    tally.own = {name: value for name, value in figures.own.items() if value}
    tally.own_by_level = dict(figures.own_by_level)
    for name in BREAKDOWNS:
        setattr(tally, name, getattr(figures, name))


@transaction.atomic
def rebuild(today=None):
    """Count every cell again from the items, for every period from the first item on: for the data
    migration, the bench, and any repair. Returns the number of cells written."""
    from .figures import _collect  # figures reads this module

    started = timezone.now()
    due = list(Recount.objects.values_list("pk", flat=True))
    Tally.objects.all().delete()
    written = 0
    for period in _periods(today or timezone.localdate()):
        tallies = []
        for key, column in ((UNIT, "unit_id"), (OFFICER, "officer_id")):
            for subject, figures in _collect(period, key, levels=True).items():
                if subject is None:
                    continue
                tally = Tally(kind=period.kind, start=period.start, **{column: subject})
                _fill(tally, figures)
                tallies.append(tally)
        Tally.objects.bulk_create(tallies, batch_size=1000)
        written += len(tallies)
    Recount.objects.filter(pk__in=due).delete()
    YearMedians.objects.update(stale=True)
    DeliveredSweep.objects.update_or_create(pk=1, defaults={"since": started - SWEEP_MARGIN})
    return written


def _periods(today):
    """Every month, quarter and year from the first day anything counts to the last."""
    firsts = [
        Article.objects.aggregate(a=Min("submitted_at"), b=Min("signed_off_at"), z=Max("signed_off_at")),
        Adoption.objects.aggregate(a=Min("adopted_on"), z=Max("adopted_on")),
        Delivery.objects.aggregate(a=Min("delivered_at"), z=Max("delivered_at")),
        Score.objects.aggregate(a=Min("month"), z=Max("month")),
    ]
    days = [_day(v) for found in firsts for v in found.values() if v is not None]
    if not days:
        return []
    first, last = month_start(min(days)), month_start(max([*days, today]))
    periods, month = [], first
    while month <= last:
        periods += [Period.containing(kind, month) for kind in Kind.ALL]
        month = add_months(month, 1)
    return sorted(set(periods), key=lambda p: (p.start, p.kind))


def points_changed(lines, recount=True):
    """Scoring rewrote these ledger lines (rows or (unit id, officer id, month) triples)."""
    cells = []
    for line in lines:
        unit, officer, month = (
            (line.unit_id, line.officer_id, line.month) if isinstance(line, Score) else line
        )
        cells.append((unit, None, month))
        if officer is not None:
            cells.append((None, officer, month))
    mark(cells, recount)
