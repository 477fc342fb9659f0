"""An item counts for each co-contributing unit as for its own unit — once per unit — while the
office's totals count each item once."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from reports import actions, scoring
from reports.figures import Progress, monthly_counts, unit_figures
from reports.models import Quota, Score
from reports.periods import Period
from reports.yearend import year_end_figures
from tests.factories import RoleAssignmentFactory, UnitClassFactory, UnitFactory

from .conftest import adopt, signed_off_item

MARCH = Period("month", 2026, 3)


@pytest.fixture
def shared(db, office, outlets, policy):
    """School A's item credits school B (and A itself, which changes nothing); adopted in March."""
    policy.missed_submitted_deduction = 1
    policy.missed_adopted_deduction = 2
    policy.save()
    class_1 = UnitClassFactory(name="Class 1")
    Quota.objects.create(unit_class=class_1, min_submitted=1, min_adopted=1)
    school_a = UnitFactory(name="A", parent=office, unit_class=class_1)
    school_b = UnitFactory(name="B", parent=office, unit_class=class_1)
    item = signed_off_item(school_a, submitted=date(2026, 3, 2))
    item.co_units.add(school_b, school_a)
    adopt(item, outlets["county"], date(2026, 3, 10))
    adopt(item, outlets["city"], date(2026, 3, 12))
    return {"a": school_a, "b": school_b, "item": item}


def _march(today=date(2026, 4, 2)):
    return {row.subject.name: row.figures for row in unit_figures(MARCH, today=today)}


def test_an_item_counts_for_its_co_unit_as_for_its_own_unit(shared):
    rows = _march()
    for name in ("A", "B"):
        counted = rows[name]
        assert (counted.submitted, counted.signed_off, counted.adopted, counted.adoptions) == (1, 1, 1, 2)
        assert (counted.signed_off_adopted, counted.progress) == (1, Progress.MET)


def test_a_co_unit_meets_its_monthly_minimum_with_the_item(shared):
    assert monthly_counts(date(2026, 3, 1), date(2026, 4, 1))[shared["b"].pk, date(2026, 3, 1)] == [1, 1]
    scoring.score_month_minimums(date(2026, 3, 1), today=date(2026, 4, 1))
    assert not Score.objects.filter(kind__in=scoring.MINIMUM_KINDS).exists()


def test_the_month_end_job_does_not_urge_a_co_unit_that_met_its_minimum(shared, office):
    behind = UnitFactory(name="C", parent=office, unit_class=shared["a"].unit_class)
    assert actions.remind_units_behind(today=date(2026, 3, 30), days_before_end=3) == [behind]


def test_a_co_unit_counts_the_item_in_its_year(shared):
    figures = year_end_figures(2026, shared["b"], today=date(2027, 1, 5))
    assert (figures.reported, figures.signed_off, figures.adopted) == (1, 1, 1)
    assert [m.met for m in figures.months if m.month == date(2026, 3, 1)] == [1]
    assert [(row.outlet, row.items) for row in figures.by_outlet] == [("City paper", 1), ("County portal", 1)]


def test_the_office_year_counts_a_shared_item_once(shared):
    figures = year_end_figures(2026, today=date(2027, 1, 5))
    assert (figures.reported, figures.signed_off, figures.adopted) == (1, 1, 1)
    assert [m.met for m in figures.months if m.month == date(2026, 3, 1)] == [2]


def test_the_dashboard_totals_count_a_shared_item_once(shared, client, office):
    client.force_login(RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user)
    response = client.get(reverse("reports:dashboard"), {"period": "2026-03"})
    rows = {row.subject.name: row.figures.submitted for row, _ in response.context["rows"]}
    assert rows == {"A": 1, "B": 1}
    totals = response.context["totals"]
    assert (totals["submitted"], totals["signed_off"], totals["adopted"], totals["adoptions"]) == (1, 1, 1, 2)
