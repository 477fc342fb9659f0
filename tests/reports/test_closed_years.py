"""Rules, bonuses, minimums and the policy apply in their own periods; a year the office closed stays
as it was until the office reopens it on purpose."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from outlets.models import Adoption
from reports import actions, scoring
from reports.models import (
    AnnualTarget,
    AssessmentYear,
    InstructionBonus,
    Quota,
    Score,
    ScoreRule,
    ScoringPolicy,
    YearEvent,
)
from reports.yearend import year_end_figures
from submissions.actions import ActionRefused
from tests.factories import RoleAssignmentFactory, UnitClassFactory, UnitFactory, officer_of

from .conftest import adopt, signed_off_item

TODAY = date(2026, 11, 30)
END_2025, START_2026 = date(2025, 12, 31), date(2026, 1, 1)


@pytest.fixture
def two_years(office, outlets, policy):
    """One school, a city rule for each year, an item adopted in March 2025 and one in March 2026,
    and the 2025 and 2026 monthly minimums (one item a month)."""
    policy.missed_submitted_deduction = 1
    policy.save()
    ScoreRule.objects.create(level="city", main_points=4, valid_to=END_2025)
    ScoreRule.objects.create(level="city", main_points=5, valid_from=START_2026)
    unit_class = UnitClassFactory(name="Class 1")
    Quota.objects.create(unit_class=unit_class, min_submitted=1, valid_to=END_2025)
    Quota.objects.create(unit_class=unit_class, min_submitted=1, valid_from=START_2026)
    school = UnitFactory(name="School", parent=office, unit_class=unit_class)
    officer_of(school)
    for day in (date(2025, 3, 2), date(2026, 3, 2)):
        adopt(signed_off_item(school, submitted=day), outlets["city"], day.replace(day=5))
    scoring.score_pending()
    actions.score_all_minimums(today=TODAY)
    director = RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user
    return {"school": school, "director": director}


def ledger(year):
    return sorted(
        (line.pk, line.month, line.kind, line.points) for line in Score.objects.filter(month__year=year)
    )


def months_met(year, unit):
    return [(m.month.month, m.met) for m in year_end_figures(year, unit, today=TODAY).months]


def test_each_adoption_is_scored_by_the_rule_in_force_on_its_day(two_years):
    adopted = {line.month.year: line.points for line in Score.objects.filter(kind=Score.Kind.ADOPTION)}
    assert adopted == {2025: Decimal(4), 2026: Decimal(5)}


def test_editing_a_2026_rule_leaves_2025_points_untouched(
    client, two_years, admin_user, django_capture_on_commit_callbacks
):
    before = ledger(2025)
    rule = ScoreRule.objects.get(valid_from=START_2026)
    change = {"level": "city", "main_points": "10", "co_points": "0", "valid_from": "2026-01-01"}
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:reports_scorerule_change", args=[rule.pk]), change)
    assert response.status_code == 302
    assert ledger(2025) == before  # the very same lines: nothing in 2025 was recomputed
    assert Score.objects.get(month__year=2026, kind=Score.Kind.ADOPTION).points == 10


def test_editing_a_2026_minimum_leaves_2025_months_met_untouched(
    client, two_years, admin_user, django_capture_on_commit_callbacks
):
    school = two_years["school"]
    deductions_2025, met_2025 = ledger(2025), months_met(2025, school)
    assert (3, 1) in met_2025
    quota = Quota.objects.get(valid_from=START_2026)
    change = {"unit_class": quota.unit_class_id, "min_submitted": "5", "min_adopted": "0"}
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:reports_quota_change", args=[quota.pk]), {**change, "valid_from": "2026-01-01"}
        )
    assert response.status_code == 302
    assert months_met(2025, school) == met_2025
    assert ledger(2025) == deductions_2025
    assert (3, 0) in months_met(2026, school)
    assert Score.objects.filter(month=date(2026, 3, 1), kind=Score.Kind.MISSED_SUBMITTED).exists()


def test_the_multi_outlet_policy_of_2026_does_not_reach_2025(two_years, outlets):
    ScoringPolicy.objects.update(valid_to=END_2025)
    ScoringPolicy.objects.create(valid_from=START_2026, multi_outlet=ScoringPolicy.MultiOutlet.HIGHEST)
    for year in (2025, 2026):
        item = signed_off_item(two_years["school"], submitted=date(year, 5, 2))
        adopt(item, outlets["city"], date(year, 5, 5))
        adopt(item, outlets["county"], date(year, 5, 6))
    scoring.score_pending()
    kinds = {
        (line.month.year, line.adoption.outlet.level): line.kind
        for line in Score.objects.filter(month__month=5, adoption__isnull=False)
    }
    assert kinds[2025, "county"] == Score.Kind.ADOPTION  # every adoption counted in 2025
    assert kinds[2026, "county"] == Score.Kind.NOT_COUNTED  # only the highest from 2026 on


def test_two_rules_for_the_same_outlet_level_cannot_overlap(two_years):
    overlapping = ScoreRule(
        level="city", main_points=1, valid_from=date(2025, 6, 1), valid_to=date(2025, 8, 1)
    )
    with pytest.raises(Exception, match="already a rule"):
        overlapping.full_clean()


# --- Closed years -------------------------------------------------------------------------------


def test_the_office_director_closes_a_year_with_a_reason_and_it_is_logged(client, two_years):
    client.force_login(two_years["director"])
    url = reverse("reports:close_year", args=[2025])
    refused = client.post(url, {"reason": ""}, follow=True)
    assert "Say why the year is closed or reopened." in refused.content.decode()
    assert not AssessmentYear.objects.filter(closed_at__isnull=False).exists()

    page = client.post(url, {"reason": "Figures sent to the bureau"}, follow=True).content.decode()

    assert "2025 is closed" in page
    assert 'data-testid="reopen-year"' in page
    event = YearEvent.objects.get()
    assert (event.year.year, event.kind, event.actor, event.reason) == (
        2025,
        YearEvent.Kind.CLOSED,
        two_years["director"],
        "Figures sent to the bureau",
    )
    assert "Figures sent to the bureau" in page


def test_a_closed_year_is_not_recomputed(two_years, outlets, django_capture_on_commit_callbacks):
    actions.close_year(2025, by=two_years["director"], reason="Done", today=TODAY)
    before, met = ledger(2025), months_met(2025, two_years["school"])
    ScoreRule.objects.filter(valid_to=END_2025).update(main_points=9)  # behind the admin's back
    ScoringPolicy.objects.update(missed_submitted_deduction=7)
    with django_capture_on_commit_callbacks(execute=True):
        actions.policy_changed()  # everything, every period
    assert scoring.score_month_minimums(date(2025, 4, 1), today=TODAY) == 0
    assert ledger(2025) == before
    assert months_met(2025, two_years["school"]) == met
    assert Score.objects.get(month__year=2026, kind=Score.Kind.ADOPTION).points == 5  # 2026 stays open


def test_no_adoption_is_recorded_into_or_removed_from_a_closed_year(two_years, outlets):
    actions.close_year(2025, by=two_years["director"], reason="Done", today=TODAY)
    item = signed_off_item(two_years["school"], submitted=date(2025, 11, 2))
    with pytest.raises(ActionRefused, match="2025 is closed"):
        actions.record_adoption(
            item, outlets["county"], adopted_on=date(2025, 11, 5), by=two_years["director"]
        )
    with pytest.raises(ActionRefused, match="2025 is closed"):
        actions.remove_adoption(
            Adoption.objects.get(adopted_on__year=2025), by=two_years["director"], reason="x"
        )
    assert Adoption.objects.count() == 2


def test_an_imported_row_dated_in_a_closed_year_is_refused(two_years, outlets):
    actions.close_year(2025, by=two_years["director"], reason="Done", today=TODAY)
    item = signed_off_item(two_years["school"], submitted=date(2025, 11, 2))
    row = {"row": 2, "article": item, "outlet": outlets["county"], "adopted_on": date(2025, 11, 5)}
    with pytest.raises(actions.ImportFailed) as failed:
        actions.import_adoptions([row], by=two_years["director"])
    assert failed.value.errors == [
        (2, "2025 is closed: its adoptions cannot change until the office reopens it.")
    ]
    assert Adoption.objects.count() == 2


def test_the_targets_of_a_closed_year_cannot_change(two_years):
    actions.close_year(2025, by=two_years["director"], reason="Done", today=TODAY)
    with pytest.raises(ValidationError, match="2025 is closed"):
        AnnualTarget(unit=two_years["school"], year=2025, submitted=12).full_clean()
    AnnualTarget(unit=two_years["school"], year=2026, submitted=12).full_clean()


def test_a_rule_that_a_closed_year_was_judged_by_cannot_be_changed_in_the_admin(
    client, two_years, admin_user
):
    actions.close_year(2025, by=two_years["director"], reason="Done", today=TODAY)
    rule = ScoreRule.objects.get(valid_to=END_2025)
    client.force_login(admin_user)
    change = {"level": "city", "main_points": "9", "co_points": "0", "valid_to": "2025-12-31"}
    response = client.post(reverse("admin:reports_scorerule_change", args=[rule.pk]), change)
    assert "2025 is closed: this change would alter what it was judged by." in response.content.decode()
    rule.refresh_from_db()
    assert rule.main_points == 4
    bonus = InstructionBonus.objects.create(level="city", points=2, valid_from=date(2026, 1, 1))
    assert client.get(reverse("admin:reports_instructionbonus_delete", args=[bonus.pk])).status_code == 200


def test_reopening_a_year_is_logged_and_recomputes_it(client, two_years, django_capture_on_commit_callbacks):
    actions.close_year(2025, by=two_years["director"], reason="Done", today=TODAY)
    ScoreRule.objects.filter(valid_to=END_2025).update(main_points=9)
    client.force_login(two_years["director"])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("reports:reopen_year", args=[2025]), {"reason": "A late correction"}, follow=True
        ).content.decode()
    assert "2025 is open again" in page
    assert [(e.kind, e.reason) for e in YearEvent.objects.order_by("at", "id")] == [
        (YearEvent.Kind.CLOSED, "Done"),
        (YearEvent.Kind.REOPENED, "A late correction"),
    ]
    assert Score.objects.get(month__year=2025, kind=Score.Kind.ADOPTION).points == 9


def test_only_a_year_that_is_over_can_be_closed(two_years):
    with pytest.raises(ActionRefused, match="Only a year that is over"):
        actions.close_year(2026, by=two_years["director"], reason="Early", today=TODAY)


# --- The ledger names its rule --------------------------------------------------------------------


def test_the_ledger_names_the_rule_bonus_or_policy_of_each_line(client, two_years, outlets):
    InstructionBonus.objects.create(level="city", points=3, valid_from=START_2026)
    item = signed_off_item(two_years["school"], submitted=date(2026, 4, 2))
    adopt(item, outlets["city"], date(2026, 4, 5), instruction_level="city")
    scoring.score_pending()
    client.force_login(two_years["director"])
    url = reverse("reports:unit_points", args=[two_years["school"].pk]) + "?period=2026"
    html = client.get(url).content.decode()
    assert "City (from 2026-01-01)" in html
    assert "City: 3.00 (from 2026-01-01)" in html
    instruction = Score.objects.get(kind=Score.Kind.INSTRUCTION)
    assert (instruction.points, instruction.bonus.points) == (3, 3)
