"""Bulletins for a quarter and in Chinese: the text and the table come from the period's figures."""

import io
from datetime import date

from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from reports import actions
from reports.documents import bulletin_rows
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


def test_the_rate_reads_the_same_on_the_page_in_the_pdf_word_and_excel(client, office, outlets):
    ahead, *_ = _units(office)
    director = RoleAssignmentFactory(role="office_director", unit=office).user
    for day in (3, 4, 5):
        item = signed_off_item(ahead, submitted=date(2025, 11, day))
        if day != 5:
            adopt(item, outlets["city"], date(2025, 11, 20))
    bulletin = actions.generate_bulletin(Period("month", 2025, 11), by=director, today=date(2026, 1, 5))
    bulletin.figures["rows"][0]["points"] = "12.50"
    bulletin.save()
    client.force_login(director)

    page = client.get(reverse("reports:bulletin", args=[bulletin.pk])).content.decode()
    sheet = client.get(reverse("reports:bulletin_file", args=[bulletin.pk, "xlsx"]))

    assert "66.7%" in page and ">12.5<" in page  # 2 of 3: 66.66…, never cut to 66.6
    assert bulletin_rows(bulletin.figures)[0][4:6] == ["66.7%", "12.5"]  # the PDF's and Word's table
    values = [cell.value for cell in load_workbook(io.BytesIO(sheet.content)).active[2]]
    assert 0.667 in values
