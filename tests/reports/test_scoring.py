"""Points worked out by hand for small cases, for both multi-outlet policies and co-unit credit."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Unit
from outlets.models import Outlet
from reports import actions, scoring
from reports.figures import Progress, unit_figures
from reports.models import InstructionBonus, Quota, Score, ScoreRule, ScoringPolicy
from reports.periods import Period
from tests.factories import CategoryFactory, UnitClassFactory, UnitFactory, officer_of

from .conftest import adopt, signed_off_item


@pytest.fixture
def rules(outlets):
    ScoreRule.objects.create(level="county", main_points=2, co_points=1)
    ScoreRule.objects.create(level="city", main_points=4, co_points=2)
    ScoreRule.objects.create(outlet=outlets["daily"], main_points=5, co_points="2.5")
    policy_category = CategoryFactory(name="Policy")
    ScoreRule.objects.create(level="city", category=policy_category, main_points=6, co_points=3)
    InstructionBonus.objects.create(level="city", points=4)
    return {"policy_category": policy_category}


@pytest.fixture
def case(db, outlets, rules):
    """Item A of school S (co-unit T): county portal 5 March, city paper 20 March, Shawan Daily
    2 April with a city leader's instruction."""
    school, partner = UnitFactory(name="S"), UnitFactory(name="T")
    officer = officer_of(school)
    item = signed_off_item(school, submitted=date(2026, 3, 1), author=officer)
    item.co_units.add(partner, school)  # the main unit listed as a co-unit earns nothing twice
    adopt(item, outlets["county"], date(2026, 3, 5))
    adopt(item, outlets["city"], date(2026, 3, 20))
    adopt(item, outlets["daily"], date(2026, 4, 2), instruction_level="city", instruction_leader="Mayor Li")
    return {"item": item, "school": school, "partner": partner, "officer": officer}


def totals(**filters):
    found = {}
    for line in Score.objects.filter(**filters):
        key = (line.unit.name, line.month.month)
        found[key] = found.get(key, Decimal(0)) + line.points
    return found


def test_every_adoption_counts_under_the_government_policy(case, policy):
    scoring.score_articles([case["item"].pk])
    # S: March county 2 + city 4; April Shawan Daily (its own rule) 5 + city instruction 4
    # T: March 1 + 2; April 2.5
    assert totals() == {
        ("S", 3): Decimal(6),
        ("S", 4): Decimal(9),
        ("T", 3): Decimal(3),
        ("T", 4): Decimal("2.5"),
    }
    officer_points = sum(line.points for line in Score.objects.filter(officer=case["officer"]))
    assert officer_points == Decimal(15)
    assert not Score.objects.filter(officer__isnull=False, unit=case["partner"]).exists()


def test_only_the_highest_adoption_counts_under_the_school_policy(case, policy):
    policy.multi_outlet = ScoringPolicy.MultiOutlet.HIGHEST
    policy.save()
    scoring.score_articles([case["item"].pk])
    # the Shawan Daily's 5 beats the city paper's 4 and the portal's 2; the instruction still counts
    assert totals() == {("S", 3): Decimal(0), ("S", 4): Decimal(9), ("T", 4): Decimal("2.5")}
    not_counted = Score.objects.filter(kind=Score.Kind.NOT_COUNTED)
    assert sorted(line.adoption.outlet.name for line in not_counted) == ["City paper", "County portal"]


def test_among_equal_adoptions_the_first_published_counts(outlets, rules, policy):
    policy.multi_outlet = ScoringPolicy.MultiOutlet.HIGHEST
    policy.save()
    item = signed_off_item(UnitFactory(name="S"), submitted=date(2026, 5, 1))
    adopt(item, outlets["city"], date(2026, 5, 9))
    other_city = Outlet.objects.create(name="Other city", kind=Outlet.Kind.ATOM, level=Outlet.Level.CITY)
    first = adopt(item, other_city, date(2026, 5, 3))
    scoring.score_articles([item.pk])
    counted = Score.objects.get(kind=Score.Kind.ADOPTION)
    assert counted.adoption == first and counted.points == 4


def test_the_most_specific_rule_wins(outlets, rules, policy):
    item = signed_off_item(
        UnitFactory(name="S"), submitted=date(2026, 5, 1), category=rules["policy_category"]
    )
    adopt(item, outlets["city"], date(2026, 5, 9))
    scoring.score_articles([item.pk])
    line = Score.objects.get(kind=Score.Kind.ADOPTION)
    assert line.points == 6 and line.rule.category == rules["policy_category"]


def test_an_adoption_without_a_rule_shows_zero_points(outlets, rules, policy):
    item = signed_off_item(UnitFactory(name="S"), submitted=date(2026, 5, 1))
    adopt(item, outlets["national"], date(2026, 5, 9))
    scoring.score_articles([item.pk])
    line = Score.objects.get(kind=Score.Kind.ADOPTION)
    assert line.points == 0 and line.rule is None


def test_rescoring_replaces_the_lines_instead_of_adding_to_them(case, policy):
    scoring.score_articles([case["item"].pk])
    scoring.score_articles([case["item"].pk])
    assert sum(totals().values()) == Decimal("20.5")


def test_changing_a_rule_recomputes_the_points(case, policy, django_capture_on_commit_callbacks):
    scoring.score_articles([case["item"].pk])
    rule = ScoreRule.objects.get(level="county")
    rule.main_points = 10
    rule.save()
    with django_capture_on_commit_callbacks(execute=True):
        actions.rule_changed(levels={"county"})
    assert totals()[("S", 3)] == Decimal(14)


def test_pending_adoptions_are_scored_by_the_sweeper(case, policy):
    assert scoring.score_pending() == 1
    assert sum(totals().values()) == Decimal("20.5")
    assert scoring.score_pending() == 0


@pytest.fixture
def quota_units(db, outlets, rules, policy):
    policy.missed_submitted_deduction = 1
    policy.missed_adopted_deduction = 2
    policy.save()
    class_1 = UnitClassFactory(name="Class 1")
    Quota.objects.create(unit_class=class_1, min_submitted=2, min_adopted=1)
    Quota.objects.create(unit_class=class_1, month=8, min_submitted=0, min_adopted=0)  # the summer holiday
    return UnitFactory(name="Busy", unit_class=class_1), UnitFactory(name="Quiet", unit_class=class_1)


def test_a_missed_minimum_costs_the_deductions(quota_units, outlets):
    busy, quiet = quota_units
    for day in (date(2026, 3, 2), date(2026, 3, 9)):
        adopt(signed_off_item(busy, submitted=day), outlets["county"], date(2026, 3, 20))
    signed_off_item(quiet, submitted=date(2026, 3, 4))
    scoring.score_month_minimums(date(2026, 3, 1), today=date(2026, 4, 1))
    lines = {(line.unit.name, line.kind): line.points for line in Score.objects.all()}
    assert lines == {("Quiet", "missed_submitted"): Decimal(-1), ("Quiet", "missed_adopted"): Decimal(-2)}


def test_a_month_is_not_assessed_before_it_ends(quota_units):
    assert scoring.score_month_minimums(date(2026, 3, 1), today=date(2026, 3, 31)) == 0
    assert not Score.objects.exists()


def test_a_quota_for_one_month_overrides_the_default(quota_units):
    scoring.score_month_minimums(date(2026, 8, 1), today=date(2026, 9, 1))
    assert not Score.objects.exists()


def test_a_unit_owes_no_minimum_for_the_months_before_it_started(quota_units):
    quiet = quota_units[1]
    Unit.objects.filter(pk=quiet.pk).update(active_from=date(2026, 3, 2))
    scoring.score_month_minimums(date(2026, 3, 1), today=date(2026, 5, 1))
    scoring.score_month_minimums(date(2026, 4, 1), today=date(2026, 5, 1))
    owed = {(line.unit.name, line.month.month) for line in Score.objects.filter(kind="missed_submitted")}
    assert owed == {("Busy", 3), ("Busy", 4), ("Quiet", 4)}


def test_the_month_figures_show_no_minimum_and_nothing_behind_before_the_unit_started(quota_units):
    quiet = quota_units[1]
    Unit.objects.filter(pk=quiet.pk).update(active_from=date(2026, 9, 15))
    rows = {
        row.subject.name: row.figures
        for row in unit_figures(Period.containing("month", date(2026, 9, 1)), today=date(2026, 10, 2))
    }
    assert (rows["Quiet"].min_submitted, rows["Quiet"].progress) == (0, Progress.NONE)
    assert (rows["Busy"].min_submitted, rows["Busy"].progress) == (2, Progress.BEHIND)
