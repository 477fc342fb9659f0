"""The year's figures for a unit's (or the office's) year-end work summary (年度总结): what was
reported and adopted, by which outlets, how fast items moved, and how the minimums and the annual
target went.

A fixed number of queries whatever the number of items, units or topics: ten, for a unit (which
reads its annual target) as for the office (which reads its units instead); three more when
commissioned topics were due in the year, two fewer while no month of the year is over.
"""

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Aggregate, DurationField, F, FloatField, Func, IntegerField, Q
from django.db.models.functions import Extract, TruncDate
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outlets.models import Outlet
from publicity.names import localized
from publicity.numbers import percent
from publicity.numbers import points as points_text
from submissions.models import Article, Category, Status
from topics.answers import TopicTotals, answers_to, due_between, totals

from . import tallies
from .figures import Quotas, assessed_units, counting_for
from .models import AnnualTarget
from .periods import Kind, Period, add_months
from .sheets import Percent
from .templatetags.assessment import list_separator

TOP_CATEGORIES = 5
SIGN_OFF_IN_DAYS_FROM = 48  # hours; a longer median reads better in days


class OutletAdoptions(NamedTuple):
    """Items of the year one outlet published."""

    outlet: str
    level: str  # Outlet.Level value
    items: int

    @property
    def level_label(self):
        return Outlet.Level(self.level).label if self.level in Outlet.Level.values else self.level


class MonthMet(NamedTuple):
    """One finished month: how many units met their minimum, of those that had one (for a unit: 0 or 1)."""

    month: object  # the first day
    met: int
    assessed: int


@dataclass
class YearEndFigures:
    year: int
    unit: object = None  # None: the whole office (every assessed unit)
    units: int = 1  # units counted
    reported: int = 0  # items submitted in the year, withdrawn ones left out
    signed_off: int = 0  # items signed off in the year …
    signed_off_adopted: int = 0  # … of which adopted, at any time
    adopted: int = 0  # items with an adoption published in the year
    by_outlet: list = field(default_factory=list)  # [OutletAdoptions], most items first
    points: Decimal = Decimal(0)
    months: list = field(default_factory=list)  # [MonthMet] for the finished months with a minimum
    median_days_to_submit: float | None = None  # event date → first submission
    median_hours_to_sign_off: float | None = None  # first submission → sign-off
    categories: list = field(default_factory=list)  # [(category name, items reported)], busiest first
    target: object = None  # the unit's AnnualTarget, if it has one
    topics: TopicTotals = field(default_factory=TopicTotals)  # commissioned topics due in the year

    @property
    def is_office(self):
        return self.unit is None

    @property
    def scope(self):
        return str(self.unit) if self.unit is not None else _("Whole office")

    @property
    def rate(self):
        """Adoption rate (采用率), as on the dashboard: the share of the year's signed-off items adopted."""
        return self.signed_off_adopted / self.signed_off if self.signed_off else None

    @property
    def months_met(self):
        return sum(m.met for m in self.months)

    @property
    def months_assessed(self):
        return sum(m.assessed for m in self.months)


def year_end_figures(year, unit=None, *, today=None, assessed=None):
    """The year's figures for one assessed unit, or for the whole office when `unit` is None.
    `assessed`: the assessed units, when the caller has read them already (one query fewer)."""
    period = Period(Kind.YEAR, year)
    units = [unit] if unit is not None else list(assessed if assessed is not None else assessed_units())
    unit_ids = [u.pk for u in units]
    figures = YearEndFigures(year=year, unit=unit, units=len(units))
    outlets, categories = _count(figures, period, unit_ids, whole_office=unit is None)
    _medians(figures, year, unit)
    figures.by_outlet = _by_outlet(outlets)
    figures.months = _months_met(period, units, today or timezone.localdate())
    figures.categories = _busiest_categories(categories)
    found = answers_to(due_between(period.start, period.end), today=today)
    figures.topics = totals(found, set(unit_ids))
    if unit is not None:
        figures.target = AnnualTarget.objects.filter(unit=unit, year=year).first()
    return figures


def _count(figures, period, unit_ids, *, whole_office):
    """The counts and points from the units' kept figures of the year; the office counts each item
    once, with its own unit, as the dashboard's totals do (so an item of a unit that is not assessed
    counts for the office only through its points, not through a co-contributing unit's credit).
    Returns the items adopted per outlet id and submitted per category id."""
    outlets, categories = Counter(), Counter()
    own = "own_" if whole_office else ""
    breakdowns = [f"{own}by_outlet", f"{own}by_category"]
    for found in tallies.figures_for(period, tallies.UNIT, unit_ids, breakdowns=breakdowns).values():
        counts = found.own if whole_office else vars(found)
        figures.reported += counts.get("submitted", 0)
        figures.signed_off += counts.get("signed_off", 0)
        figures.signed_off_adopted += counts.get("signed_off_adopted", 0)
        figures.adopted += counts.get("adopted", 0)
        figures.points += found.points
        outlets.update(getattr(found, f"{own}by_outlet"))
        categories.update(getattr(found, f"{own}by_category"))
    return outlets, categories


class Median(Aggregate):
    """The median (PostgreSQL's continuous percentile: the mean of the middle two for an even count)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _medians(figures, year, unit):
    """The year's medians as kept (`reports.tallies.medians`): one query once they are counted."""
    figures.median_days_to_submit, figures.median_hours_to_sign_off = tallies.medians(year, unit)


def count_medians(year, unit_ids):
    """How fast the year's items of these units moved: the median days from the event to submission
    of its submitted items, and the median hours from submission to sign-off of its signed-off items.
    One query over the year's items (PostgreSQL); (days, hours), each None without items."""
    start, end = Period(Kind.YEAR, year).bounds()
    submitted = Q(submitted_at__gte=start, submitted_at__lt=end) & ~Q(status=Status.WITHDRAWN)
    signed_off = Q(signed_off_at__gte=start, signed_off_at__lt=end)
    items = Article.objects.filter(submitted | signed_off, counting_for(unit_ids))
    if connection.vendor != "postgresql":
        return _medians_in_python(items, start, end)
    tz = timezone.get_current_timezone()
    days = Func(
        TruncDate("submitted_at", tzinfo=tz), F("event_date"), **DIFFERENCE, output_field=IntegerField()
    )
    hours = Func(F("signed_off_at"), F("submitted_at"), **DIFFERENCE, output_field=DurationField())
    found = items.aggregate(
        days=Median(days, filter=submitted & Q(event_date__isnull=False)),
        hours=Median(Extract(hours, "epoch"), filter=signed_off & Q(submitted_at__isnull=False)),
    )
    return found["days"], (found["hours"] / 3600 if found["hours"] is not None else None)


DIFFERENCE = {"template": "(%(expressions)s)", "arg_joiner": " - "}


def _medians_in_python(items, start, end):
    """SQLite has no percentile: the year's items read as values (slower, the same answer)."""
    to_submit, to_sign_off = [], []
    rows = items.values_list("status", "event_date", "submitted_at", "signed_off_at").order_by()
    for status, event_date, submitted_at, signed_off_at in rows:
        if submitted_at and start <= submitted_at < end and status != Status.WITHDRAWN and event_date:
            to_submit.append((timezone.localdate(submitted_at) - event_date).days)
        if signed_off_at and start <= signed_off_at < end and submitted_at:
            to_sign_off.append((signed_off_at - submitted_at) / timedelta(hours=1))
    return (
        statistics.median(to_submit) if to_submit else None,
        statistics.median(to_sign_off) if to_sign_off else None,
    )


def _by_outlet(items):
    """[OutletAdoptions] from the items adopted per outlet id, most first. One query: the names."""
    outlets = Outlet.objects.values_list("pk", localized("name"), "level")  # a few: all of them
    found = [OutletAdoptions(name, level, items[pk]) for pk, name, level in outlets if items.get(pk)]
    return sorted(found, key=lambda row: (-row.items, row.outlet))


def _months_met(period, units, today):
    """The finished months of the year in which each unit met its minimum (both parts of it); months
    without a minimum for a unit are not assessed for it."""
    finished = [m for m in period.months if add_months(m, 1) <= today]
    if not finished:
        return []
    found = tallies.month_tallies(  # `_count` has recounted what was due
        finished[0], add_months(finished[-1], 1), tallies.UNIT, [u.pk for u in units], healed=True
    )
    counts = {(unit_id, month): (submitted, adopted) for unit_id, month, submitted, adopted in found}
    quotas = Quotas()
    months = []
    for month in finished:
        met = assessed = 0
        for unit in units:
            min_submitted, min_adopted = quotas.minimum(unit, month)
            if not min_submitted and not min_adopted:
                continue
            submitted, adopted = counts.get((unit.pk, month), (0, 0))
            assessed += 1
            met += submitted >= min_submitted and adopted >= min_adopted
        if assessed:
            months.append(MonthMet(month, met, assessed))
    return months


def _busiest_categories(items):
    """[(category name, items reported)] from the items per category id, busiest first. One query."""
    categories = Category.objects.values_list("pk", localized("name"), "order")  # a few: all of them
    ranked = sorted((-items[pk], order, name) for pk, name, order in categories if items.get(pk))
    return [(name, -count) for count, _order, name in ranked[:TOP_CATEGORIES]]


# --- Words ----------------------------------------------------------------------------------------


def summary_sentence(figures):
    """The year in one sentence, in the active language, e.g. “68 items reported, 35 adopted by
    Municipal Daily, 23 by District portal.”"""
    reported = ngettext("%(count)s item reported", "%(count)s items reported", figures.reported) % {
        "count": figures.reported
    }
    if not figures.by_outlet:
        return _("%(reported)s, none adopted.") % {"reported": reported}
    first, *others = figures.by_outlet
    parts = [_("%(count)s adopted by %(outlet)s") % {"count": first.items, "outlet": first.outlet}]
    parts += [_("%(count)s by %(outlet)s") % {"count": o.items, "outlet": o.outlet} for o in others]
    adoptions = list_separator().join(parts)
    return _("%(reported)s, %(adoptions)s.") % {"reported": reported, "adoptions": adoptions}


class Measure(NamedTuple):
    label: str
    text: str  # the value in words, for the page and Word
    number: object = None  # the value as a number, for Excel, where it is one


def measures(figures):
    """The year's other figures — the same lines on the page, in Word and in Excel."""
    return [
        Measure(_("Items reported"), str(figures.reported), figures.reported),
        Measure(_("Items signed off"), str(figures.signed_off), figures.signed_off),
        Measure(_("Items adopted"), str(figures.adopted), figures.adopted),
        Measure(_("Adoption rate"), percent(figures.rate), Percent(figures.rate)),
        Measure(_("Points"), points_text(figures.points), figures.points),
        Measure(_months_label(figures), _months_value(figures)),
        Measure(_("Median time from the event to submission"), days_text(figures.median_days_to_submit)),
        Measure(_("Median time from submission to sign-off"), hours_text(figures.median_hours_to_sign_off)),
        *topic_lines(figures),
        *target_lines(figures),
    ]


def topic_lines(figures):
    """How the year's commissioned topics were answered, when there were any."""
    topics = figures.topics
    if not topics.topics:
        return []
    if figures.is_office:
        answered = _("%(topics)s topics; answered %(answered)s of %(asked)s times") % {
            "topics": topics.topics,
            "answered": topics.answered,
            "asked": topics.asked,
        }
    else:
        answered = _("%(answered)s of %(asked)s") % {"answered": topics.answered, "asked": topics.asked}
    items = _("%(items)s, of which %(adopted)s adopted") % {"items": topics.items, "adopted": topics.adopted}
    return [
        Measure(_("Commissioned topics answered"), answered, topics.answered),
        Measure(_("Items answering commissioned topics"), items, topics.items),
    ]


def target_lines(figures):
    """The annual target's goals, each as "actual of goal (share)"."""
    target = figures.target
    if target is None:
        return []
    goals = [
        (_("Annual target: items submitted"), figures.reported, target.submitted, str),
        (_("Annual target: items adopted"), figures.adopted, target.adopted, str),
        (_("Annual target: points"), figures.points, target.points, points_text),
    ]
    return [Measure(label, _goal_text(actual, goal, shown)) for label, actual, goal, shown in goals if goal]


def _goal_text(actual, goal, shown):
    words = {"actual": shown(actual), "goal": shown(goal), "share": percent(actual / goal)}
    return _("%(actual)s of %(goal)s (%(share)s)") % words


def month_lines(figures):
    """(month label, result in words) for each finished month with a minimum."""
    return [(date_format(m.month, "YEAR_MONTH_FORMAT"), _month_result(figures, m)) for m in figures.months]


def _month_result(figures, month):
    if figures.is_office:
        words = {"met": month.met, "units": month.assessed}
        return ngettext("%(met)s of %(units)s unit", "%(met)s of %(units)s units", month.assessed) % words
    return _("Met") if month.met else _("Not met")


def _months_label(figures):
    if figures.is_office:
        return _("Unit-months with the minimum met")
    return _("Months with the minimum met")


def _months_value(figures):
    if not figures.months_assessed:
        return _("No minimum")
    return _("%(met)s of %(assessed)s") % {"met": figures.months_met, "assessed": figures.months_assessed}


def days_text(days):
    if days is None:
        return "—"
    return ngettext("%(days)s day", "%(days)s days", _plural_count(days)) % {"days": floatformat(days, -1)}


def hours_text(hours):
    if hours is None:
        return "—"
    if hours >= SIGN_OFF_IN_DAYS_FROM:
        return days_text(hours / 24)
    return ngettext("%(hours)s hour", "%(hours)s hours", _plural_count(hours)) % {
        "hours": floatformat(hours, -1)
    }


def _plural_count(value):
    # ngettext needs an integer; "1.5 days" takes the plural like every number but 1
    return int(value) if value == int(value) else 2
