"""Bulletins for a quarter and in Chinese: the text and the table come from the period's figures."""

from datetime import date

from django.utils import translation

from reports import actions
from reports.models import Quota
from reports.periods import Period
from tests.factories import RoleAssignmentFactory, UnitClassFactory, UnitFactory

from .conftest import adopt, signed_off_item


def _units(office):
    class_1 = UnitClassFactory(name="Class 1")
    Quota.objects.create(unit_class=class_1, min_submitted=2, min_adopted=1)
    return [
        UnitFactory(name=name, parent=office, unit_class=class_1) for name in ("Ahead", "Behind", "Silent")
    ]


def test_a_quarterly_bulletin_counts_three_months_against_three_minimums(office, outlets):
    ahead, behind, _silent = _units(office)
    director = RoleAssignmentFactory(role="office_director", unit=office).user
    for month in (7, 8, 9):
        for day in (3, 10):
            adopt(
                signed_off_item(ahead, submitted=date(2025, month, day)),
                outlets["city"],
                date(2025, month, 20),
            )
    signed_off_item(behind, submitted=date(2025, 8, 3))
    signed_off_item(ahead, submitted=date(2025, 10, 1))  # the next quarter
    bulletin = actions.generate_bulletin(Period("quarter", 2025, 3), by=director, today=date(2026, 1, 5))
    rows = {row["unit"]: row for row in bulletin.figures["rows"]}
    assert (rows["Ahead"]["submitted"], rows["Ahead"]["adopted"], rows["Ahead"]["min_submitted"]) == (6, 6, 6)
    assert rows["Ahead"]["progress"] == "met" and rows["Behind"]["progress"] == "behind"
    assert bulletin.figures["behind"] == ["Behind", "Silent"] and bulletin.figures["zero"] == ["Silent"]
    assert bulletin.title == "Bulletin on information publicity, Q3 2025"
    assert "The following units did not meet their minimum: Behind, Silent." in bulletin.body


def test_a_bulletin_written_in_chinese_lists_units_the_chinese_way(office, outlets):
    _units(office)
    director = RoleAssignmentFactory(role="office_director", unit=office).user
    with translation.override("zh-hans"):
        bulletin = actions.generate_bulletin(Period("month", 2025, 11), by=director, today=date(2026, 1, 5))
    assert bulletin.title == "关于2025年11月信息宣传工作情况的通报"
    assert "Ahead、Behind、Silent" in bulletin.body
