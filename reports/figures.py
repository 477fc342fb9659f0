"""The numbers behind the dashboard, rankings, bulletins and year-end figures.

The pages read the figures `reports.tallies` keeps per unit and officer and month, quarter and year,
a fixed number of queries whatever the number of units, officers or items. `_collect` is the count
they are kept by: one grouped query per source table, then a merge in Python.

An item counts for its own unit and for each of its co-contributing units (once per unit); the
office's totals count each item once, from its own unit's figures (`Figures.own`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.db.models import BooleanField, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, RoleAssignment, Unit, User
from outlets.models import Adoption, Delivery, Outlet
from publicity.names import localized
from submissions.models import Article, Status

from . import tallies
from .models import AnnualTarget, Quota, Score, Tally
from .periods import Kind, Period, aware_bounds, month_start


class Progress:
    """How a unit stands against its minimum; each state has a word, never only a colour."""

    MET = "met"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    NONE = "none"  # no minimum for this unit
    LABELS = {
        MET: _("Met"),
        AT_RISK: _("Not yet met"),
        BEHIND: _("Behind"),
        NONE: _("No minimum"),
    }


@dataclass
class Figures:
    submitted: int = 0
    signed_off: int = 0  # items signed off in the period
    delivered: int = 0
    adopted: int = 0  # items adopted in the period (by publication day)
    adoptions: int = 0  # adoptions in the period (an item may have several)
    signed_off_adopted: int = 0  # of the items signed off in the period, those adopted at any time
    points: Decimal = Decimal(0)
    min_submitted: int = 0
    min_adopted: int = 0
    progress: str = Progress.NONE
    target: object = None  # the AnnualTarget, for a year
    own: dict = field(default_factory=dict)  # a unit's counts of its own items, co-units' left out
    own_by_level: dict = field(default_factory=dict)  # a unit's own items' adoptions per outlet level
    # items adopted per outlet and submitted per category (all the unit's, and its own only)
    by_outlet: dict = field(default_factory=dict)
    own_by_outlet: dict = field(default_factory=dict)
    by_category: dict = field(default_factory=dict)
    own_by_category: dict = field(default_factory=dict)

    @property
    def rate(self):
        """Adoption rate (采用率): the share of the items signed off in the period that were adopted."""
        return self.signed_off_adopted / self.signed_off if self.signed_off else None

    @property
    def progress_label(self):
        return Progress.LABELS[self.progress]

    @property
    def minimum_met(self):
        return self.submitted >= self.min_submitted and self.adopted >= self.min_adopted


@dataclass
class Row:
    """One unit or officer in a table of figures."""

    subject: object
    figures: Figures
    units: list = field(default_factory=list)  # an officer's units
    rank: int = 0


def assessed_units():
    """Units with a unit class are assessed; the office itself and grouping nodes have none."""
    return Unit.objects.active().filter(unit_class__isnull=False).select_related("unit_class")


class Quotas:
    """The monthly minimums, read once: in a month, the quotas in force on its first day count, and a
    quota for that month of the year overrides the class's default."""

    def __init__(self):
        self.by_class = defaultdict(list)
        for quota in Quota.objects.all():
            self.by_class[quota.unit_class_id, quota.month].append(quota)
        # a hundred units share a few classes: each class's month, and period, is looked up once
        self._of_class = {}
        self._of_period = {}

    def minimum(self, unit, month):
        """(submitted, adopted) the unit owes for the month starting on the day `month`: nothing for
        a month that began before the unit did (its `active_from`)."""
        if unit.active_from is not None and month < unit.active_from:
            return (0, 0)
        key = (unit.unit_class_id, month)
        if key not in self._of_class:
            in_force = partial(self._in_force, unit.unit_class_id, day=month)
            quota = in_force(month.month) or in_force(None)
            self._of_class[key] = (quota.min_submitted, quota.min_adopted) if quota else (0, 0)
        return self._of_class[key]

    def for_period(self, unit, period):
        key = (unit.unit_class_id, unit.active_from, period)
        if key not in self._of_period:
            pairs = [self.minimum(unit, m) for m in period.months]
            self._of_period[key] = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        return self._of_period[key]

    def _in_force(self, unit_class_id, number, day):
        return next((q for q in self.by_class[unit_class_id, number] if q.applies_on(day)), None)


def unit_figures(period, *, today=None, units=None):
    """A Row per assessed unit for the period, in the units' order, from the kept figures. Four
    queries (three for a month or quarter)."""
    units = list(units if units is not None else assessed_units())
    figures = tallies.figures_for(period, tallies.UNIT, [unit.pk for unit in units])
    quotas = Quotas()
    targets = {}
    if period.kind == "year":
        targets = {t.unit_id: t for t in AnnualTarget.objects.filter(year=period.year)}
    rows = []
    for unit in units:
        found = figures.get(unit.pk) or Figures()
        found.min_submitted, found.min_adopted = quotas.for_period(unit, period)
        found.progress = progress(found, period, today)
        found.target = targets.get(unit.pk)
        rows.append(Row(unit, found))
    return rows


def officer_figures(period, *, today=None):
    """A Row per liaison officer of an assessed unit (and anyone who wrote in the period), from the
    kept figures. Four queries."""
    figures = tallies.figures_for(period, tallies.OFFICER)
    posts = RoleAssignment.objects.filter(
        role=Role.LIAISON_OFFICER, unit__is_active=True, unit__unit_class__isnull=False
    ).values_list("user_id", localized("unit__name"))
    units = defaultdict(list)
    for user_id, unit_name in posts:
        units[user_id].append(unit_name)
    people = User.objects.filter(pk__in=set(units) | set(figures)).order_by("pk")
    return [Row(user, figures.get(user.pk) or Figures(), units=units.get(user.pk, [])) for user in people]


def _collect(period, key, *, subjects=None, levels=False):
    """Figures per unit (`key` = "unit_id") or per officer ("author_id") for the period, counted from
    the items: `reports.tallies` keeps them, the pages read those. An item counts for its unit and for
    each of its co-contributing units; `Figures.own` keeps a unit's counts of its own items only, for
    the office's totals, which count each item once. `subjects`: only these units' or officers' ids;
    `levels`: also a unit's own adoptions by outlet level (`Figures.own_by_level`)."""
    start, end = period.bounds()
    found = defaultdict(Figures)
    per_subject = partial(_per_subject, key=key, subjects=subjects)
    for subject, own, *counts in _article_counts(start, end, per_subject):
        _add(found[subject], own, zip(ARTICLE_COUNTS, counts, strict=True))
    delivered = Delivery.objects.filter(state=Delivery.State.DELIVERED, delivered_at__gte=start)
    for subject, own, items in per_subject(delivered.filter(delivered_at__lt=end), items=_items()):
        _add(found[subject], own, [("delivered", items)])
    adoptions = Adoption.objects.between(period.start, period.end)
    for subject, own, items, rows in per_subject(adoptions, items=_items(), rows=Count("pk")):
        _add(found[subject], own, [("adopted", items), ("adoptions", rows)])
    if levels and key == "unit_id":
        _breakdowns(found, period, adoptions, subjects)
    score_key = "unit_id" if key == "unit_id" else "officer_id"
    scores = Score.objects.filter(month__gte=period.start, month__lt=period.end).exclude(**{score_key: None})
    if subjects is not None:
        scores = scores.filter(**{f"{score_key}__in": subjects})
    for subject, points in scores.values_list(score_key).annotate(Sum("points")).order_by():
        found[subject].points = points or Decimal(0)
    return found


def _breakdowns(found, period, adoptions, subjects):
    """A unit's own adoptions per outlet level, its items adopted per outlet and submitted per category.
    Three queries."""
    own_adoptions = adoptions.filter(article__unit_id__in=subjects) if subjects is not None else adoptions
    for subject, level, rows in (
        own_adoptions.values_list("article__unit_id", "level").annotate(Count("pk")).order_by()
    ):
        found[subject].own_by_level[level] = rows
    for subject, own, outlet_id, items in credited(
        adoptions, by=["outlet_id"], unit_ids=subjects, items=_items()
    ):
        _add_to(found[subject], "by_outlet", own, outlet_id, items)
    start, end = period.bounds()
    submitted = Article.objects.filter(submitted_at__gte=start, submitted_at__lt=end, category__isnull=False)
    submitted = submitted.exclude(status=Status.WITHDRAWN)
    for subject, own, category_id, items in credited(
        submitted, "", by=["category_id"], unit_ids=subjects, items=Count("pk")
    ):
        _add_to(found[subject], "by_category", own, category_id, items)


def _add_to(figures, name, own, key, items):
    counts = getattr(figures, name)
    counts[key] = counts.get(key, 0) + items
    if own:
        getattr(figures, f"own_{name}")[key] = items


ARTICLE_COUNTS = ("submitted", "signed_off", "signed_off_adopted")


def _add(figures, own, counts):
    for name, value in counts:
        setattr(figures, name, getattr(figures, name) + value)
        if own:
            figures.own[name] = value


def _items():
    return Count("article_id", distinct=True)


def _article_counts(start, end, per_subject):
    submitted = Q(submitted_at__gte=start, submitted_at__lt=end) & ~Q(status=Status.WITHDRAWN)
    signed_off = Q(signed_off_at__gte=start, signed_off_at__lt=end)
    adopted = Exists(Adoption.objects.filter(article=OuterRef("pk")))
    return per_subject(
        Article.objects.filter(submitted | signed_off),
        to_article="",
        submitted=Count("pk", filter=submitted),
        signed_off=Count("pk", filter=signed_off),
        signed_off_adopted=Count("pk", filter=signed_off & adopted),
    )


def _per_subject(queryset, *, key, subjects=None, to_article="article__", **aggregates):
    """Rows (subject, own, *aggregates) per officer, or per unit as `credited` counts them; only for
    `subjects` if given. One query."""
    if key == "unit_id":
        return credited(queryset, to_article, unit_ids=subjects, **aggregates)
    if subjects is not None:
        queryset = queryset.filter(**{f"{to_article}{key}__in": subjects})
    subjects = queryset.annotate(subject=F(f"{to_article}{key}"), own=Value(True, BooleanField()))
    return subjects.values_list("subject", "own").annotate(**aggregates).order_by()


def credited(queryset, to_article="article__", *, by=(), unit_ids=None, **aggregates):
    """The aggregates per unit the rows' items (at `to_article`) count for: their own unit, and each
    co-contributing unit other than that one — rows (unit id, own, *by, *aggregates), `own` False for
    a co-unit's rows; `by`: more annotations to group by. One query: a UNION ALL of the two
    groupings, so a unit may have a row in each."""
    unit = F(f"{to_article}unit_id")
    own = queryset.annotate(subject=unit, own=Value(True, BooleanField()))
    shared = queryset.annotate(subject=F(f"{to_article}co_units"), own=Value(False, BooleanField()))
    shared = shared.filter(subject__isnull=False).exclude(subject=unit)
    if unit_ids is not None:
        own, shared = own.filter(subject__in=unit_ids), shared.filter(subject__in=unit_ids)
    own, shared = (
        q.values_list("subject", "own", *by).annotate(**aggregates).order_by() for q in (own, shared)
    )
    return own.union(shared, all=True)


def counting_for(unit_ids, to_article=""):
    """A filter for the rows whose items (at `to_article`) count for one of these units — their
    own, or a co-contributing one; an item counts once however many of the units it names."""
    credits = Article.co_units.through.objects.filter(
        article=OuterRef(f"{to_article}pk"), unit_id__in=unit_ids
    )
    return Q(**{f"{to_article}unit_id__in": unit_ids}) | Q(Exists(credits))


def progress(figures, period, today=None):
    """Green when both minimums are met; red when the period is over (or half gone with nothing
    submitted); amber while there is still time."""
    if not figures.min_submitted and not figures.min_adopted:
        return Progress.NONE
    if figures.minimum_met:
        return Progress.MET
    today = today or timezone.localdate()
    if period.is_over(today):
        return Progress.BEHIND
    elapsed = (today - period.start).days / max((period.end - period.start).days, 1)
    return Progress.BEHIND if figures.submitted == 0 and elapsed >= 0.5 else Progress.AT_RISK


def monthly_counts(start, end, unit_ids=None):
    """{(unit_id, month): [submitted, adopted items]} for months in [start, end), an item counting
    for its unit and its co-contributing units. Two queries."""
    tz = timezone.get_current_timezone()
    counts = defaultdict(lambda: [0, 0])
    first, after = aware_bounds(start, end)
    articles = Article.objects.filter(submitted_at__gte=first, submitted_at__lt=after).exclude(
        status=Status.WITHDRAWN
    )
    articles = articles.annotate(month=TruncMonth("submitted_at", tzinfo=tz))
    for unit_id, _own, day, n in credited(articles, "", by=["month"], unit_ids=unit_ids, n=Count("pk")):
        counts[unit_id, _as_date(day)][0] += n
    adoptions = Adoption.objects.between(start, end).annotate(month=TruncMonth("adopted_on"))
    for unit_id, _own, day, n in credited(adoptions, by=["month"], unit_ids=unit_ids, n=_items()):
        counts[unit_id, _as_date(day)][1] += n
    return counts


def _as_date(value):
    return month_start(value.date() if isinstance(value, datetime) else value)


def monthly_series(year_period, *, top=5):
    """The office's months for the charts: submissions, adoptions by outlet level, and the points of
    the `top` units with the most points, from the units' kept figures of each month (each item once:
    its own unit's), summed by the database. Two queries, reading the kept figures as they are: the
    dashboard reads them after `unit_figures`, which has recounted what was due."""
    months = year_period.months
    submitted = dict.fromkeys(months, 0)
    by_level = {level: dict.fromkeys(months, 0) for level in Outlet.Level.values}
    rows = Tally.objects.filter(
        kind=Kind.MONTH,
        start__gte=year_period.start,
        start__lt=year_period.end,
        unit__isnull=False,
        officer__isnull=True,  # as the unique index reads it
    )
    levels = {f"level_{n}": level for n, level in enumerate(by_level)}  # names safe for SQL
    sums = rows.values("start").annotate(
        submitted=_json_sum("own__submitted"),
        **{name: _json_sum(f"own_by_level__{level}") for name, level in levels.items()},
    )
    for found in sums.order_by():
        submitted[found["start"]] = found["submitted"]
        for name, level in levels.items():
            by_level[level][found["start"]] = found[name]
    # a year's points are its months' points: the year's kept figures name the best units
    year = Tally.objects.filter(
        kind=Kind.YEAR, start=year_period.start, unit__isnull=False, officer__isnull=True
    )
    best = year.exclude(points=0).order_by("-points", "unit_id").values("unit_id")[:top]
    points = defaultdict(lambda: dict.fromkeys(months, Decimal(0)))
    for unit_id, month, total in (
        rows.exclude(points=0).filter(unit_id__in=best).values_list("unit_id", "start", "points")
    ):
        points[unit_id][month] = total
    return {"months": months, "submitted": submitted, "adopted_by_level": by_level, "points": points}


def _json_sum(path):
    return Coalesce(Sum(Cast(KT(path), IntegerField())), 0)


def own_year(user, day, *, healed=False):
    """An officer's adopted items and points in the year of `day`, from the kept figures. Two queries
    (one if `healed`: see `tallies.figures_for`)."""
    year = Period(Kind.YEAR, day.year)
    figures = tallies.figures_for(year, tallies.OFFICER, [user.pk], healed=healed).get(user.pk) or Figures()
    return {"year": day.year, "adopted": figures.adopted, "points": figures.points}
