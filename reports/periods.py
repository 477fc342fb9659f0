"""Months, quarters and years the office assesses, and how they appear in URLs ("2026-11",
"2026-Q4", "2026")."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


class Kind:
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ALL = (MONTH, QUARTER, YEAR)


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    number: int = 1  # month 1-12, quarter 1-4; 1 for a year

    @classmethod
    def containing(cls, kind, day):
        if kind == Kind.MONTH:
            return cls(kind, day.year, day.month)
        if kind == Kind.QUARTER:
            return cls(kind, day.year, (day.month - 1) // 3 + 1)
        return cls(Kind.YEAR, day.year)

    @classmethod
    def parse(cls, value, default_kind=Kind.MONTH, today=None):
        """The period a URL names; the current one when the value is missing or malformed."""
        value = (value or "").strip().upper()
        for kind, pattern in PATTERNS:
            if match := re.fullmatch(pattern, value):
                year, number = int(match[1]), int(match[2] or 1)
                if 2000 <= year <= 2100 and 1 <= number <= LAST[kind]:
                    return cls(kind, year, number)
        return cls.containing(default_kind, today or timezone.localdate())

    @property
    def start(self):
        first_month = {Kind.MONTH: self.number, Kind.QUARTER: 3 * self.number - 2}.get(self.kind, 1)
        return date(self.year, first_month, 1)

    @property
    def end(self):
        """The first day after the period."""
        months = {Kind.MONTH: 1, Kind.QUARTER: 3}.get(self.kind, 12)
        return add_months(self.start, months)

    @property
    def months(self):
        count = {Kind.MONTH: 1, Kind.QUARTER: 3}.get(self.kind, 12)
        return [add_months(self.start, n) for n in range(count)]

    def bounds(self):
        """The period as aware datetimes [start, end) in the current time zone."""
        return aware_bounds(self.start, self.end)

    def previous(self):
        return Period.containing(self.kind, add_months(self.start, -1))

    def next(self):
        return Period.containing(self.kind, self.end)

    def is_over(self, today=None):
        return (today or timezone.localdate()) >= self.end

    def has_begun(self, today=None):
        return (today or timezone.localdate()) >= self.start

    def __str__(self):
        """The URL form: 2026-11, 2026-Q4, 2026."""
        if self.kind == Kind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == Kind.QUARTER:
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    @property
    def label(self):
        if self.kind == Kind.MONTH:
            return date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.kind == Kind.QUARTER:
            return _("Q%(quarter)s %(year)s") % {"quarter": self.number, "year": self.year}
        return str(self.year)


PATTERNS = [
    (Kind.MONTH, r"(\d{4})-(\d{1,2})"),
    (Kind.QUARTER, r"(\d{4})-Q([1-4])"),
    (Kind.YEAR, r"(\d{4})()"),
]
LAST = {Kind.MONTH: 12, Kind.QUARTER: 4, Kind.YEAR: 1}

FIRST_YEAR = 2000  # the earliest year an adoption can be published in
IN_THE_FUTURE, BEFORE_FIRST_YEAR = "future", "before_first_year"


def publication_day_problem(day, today=None):
    """Why `day` cannot be an adoption's publication date (IN_THE_FUTURE, BEFORE_FIRST_YEAR), or None.
    The record-adoption form and the Excel import both ask this, each saying it in its own words."""
    if day > (today or timezone.localdate()):
        return IN_THE_FUTURE
    if day.year < FIRST_YEAR:
        return BEFORE_FIRST_YEAR
    return None


def add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def aware_bounds(*days):
    tz = timezone.get_current_timezone()
    return tuple(timezone.make_aware(datetime.combine(d, time.min), tz) for d in days)


def month_start(day):
    return day.replace(day=1)
