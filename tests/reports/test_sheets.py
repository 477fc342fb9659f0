import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote, unquote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from outlets import actions as outlet_actions
from outlets.models import Adoption, Outlet
from reports import actions
from reports.sheets import Percent, adoption_template, read_adoption_sheet, xlsx_response
from submissions.models import Status
from tests.factories import ArticleFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Item number", "Outlet", "Published on", "Address", "Issue and page", "Note"]
HEADER += ["Leader instruction level", "Instructing leader", "Leader instruction"]
NOT_XLSX = (
    "This file is not an Excel workbook (.xlsx). Open it in Excel or WPS, save it as "
    "“Excel Workbook (*.xlsx)” and upload that file."
)
BOMB = "This file was refused: it unpacks to far more data than an adoption sheet holds (50.0\xa0MB)."
DRAFT = object()  # stands for an item that is not signed off


@pytest.fixture
def outlet(db):
    return Outlet.objects.create(name="City Daily", kind=Outlet.Kind.EMAIL, level=Outlet.Level.CITY)


@pytest.fixture
def signed_off(school):
    return ArticleFactory(unit=school, status=Status.APPROVED, signed_off_at=timezone.now())


@pytest.fixture
def second(school):
    return ArticleFactory(unit=school, status=Status.APPROVED, signed_off_at=timezone.now())


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


def line(item, /, **cells):
    values = {"article": item.pk, "outlet": "City Daily", "adopted_on": days_ago(3), "url": ""}
    values |= {
        "issue": "",
        "note": "",
        "instruction_level": "",
        "instruction_leader": "",
        "instruction_text": "",
    }
    return list((values | cells).values())


def workbook(rows, header=HEADER):
    book = openpyxl.Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    return book


def upload(content, name="adoptions.xlsx"):
    if isinstance(content, openpyxl.Workbook):
        buffer = io.BytesIO()
        content.save(buffer)
        content = buffer.getvalue()
    return SimpleUploadedFile(name, content, content_type=XLSX)


def read(rows, header=HEADER):
    return read_adoption_sheet(upload(workbook(rows, header)))


def exported(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


# --- Reading a filled sheet ---------------------------------------------------------------------


def test_a_valid_sheet_imports_its_adoptions(signed_off, second, outlet, people):
    rows, errors = read(
        [
            line(
                signed_off, url="https://news.example.org/a.html", issue="No. 12, page 3", note="Front page"
            ),
            line(
                second, adopted_on=days_ago(1).isoformat(), instruction_level="市级", instruction_leader="Li"
            ),
        ]
    )

    assert errors == []
    assert rows[0] == {
        "row": 2,
        "article": signed_off,
        "outlet": outlet,
        "adopted_on": days_ago(3),
        "url": "https://news.example.org/a.html",
        "issue": "No. 12, page 3",
        "note": "Front page",
        "instruction_level": "",
        "instruction_leader": "",
        "instruction_text": "",
    }
    actions.import_adoptions(rows, by=people["director"])
    adoption = Adoption.objects.get(article=second, outlet=outlet)
    assert (adoption.adopted_on, adoption.instruction_level, adoption.instruction_leader) == (
        days_ago(1),
        Outlet.Level.CITY,
        "Li",
    )
    assert adoption.source == Adoption.Source.IMPORT
    assert Adoption.objects.count() == 2


def test_columns_are_read_by_position_whatever_the_header_says(signed_off, outlet):
    chinese = [
        "信息编号",
        "报送渠道",
        "刊发日期",
        "网址",
        "期号版面",
        "备注",
        "批示级别",
        "批示领导",
        "批示内容",
    ]

    rows, errors = read([line(signed_off)], header=chinese)

    assert errors == []
    assert [(r["article"], r["outlet"]) for r in rows] == [(signed_off, outlet)]


def test_outlet_names_match_trimmed_and_in_any_case(signed_off, outlet):
    rows, errors = read([line(signed_off, outlet="  city DAILY ")])

    assert errors == []
    assert rows[0]["outlet"] == outlet


def test_outlet_names_match_in_either_language(signed_off, second, outlet):
    outlet.name_zh_hans = "城市日报"
    outlet.save()

    with translation.override("zh-hans"):
        rows, errors = read([line(signed_off, outlet="City Daily"), line(second, outlet="城市日报 ")])

    assert errors == []
    assert [row["outlet"] for row in rows] == [outlet, outlet]


def test_the_template_lists_the_outlets_in_the_pages_language(outlet):
    outlet.name_zh_hans = "城市日报"
    outlet.save()

    with translation.override("zh-hans"):
        lists = openpyxl.load_workbook(io.BytesIO(adoption_template())).worksheets[1]

    assert lists["A2"].value == "城市日报"


@pytest.mark.parametrize(
    "written, code",
    [("city", "city"), ("Province", "province"), ("County / district", "county"), ("国家级", "national")],
)
def test_the_instruction_level_is_read_as_code_or_label_in_either_language(signed_off, outlet, written, code):
    rows, errors = read([line(signed_off, instruction_level=written, instruction_text="Well done.")])

    assert errors == []
    assert rows[0]["instruction_level"] == code


def test_empty_rows_are_skipped_and_row_numbers_are_the_sheets(signed_off, second, outlet):
    rows, errors = read([line(signed_off), [], [None, "  ", None], line(second)])

    assert errors == []
    assert [row["row"] for row in rows] == [2, 5]


@pytest.mark.parametrize(
    "cells, message",
    [
        ({"article": None}, "Item number: this column is required."),
        ({"article": "abc"}, "Item number: “abc” is not a whole number."),
        ({"article": 1.5}, "Item number: “1.5” is not a whole number."),
        ({"article": 999999}, "Item number: there is no item 999999."),
        ({"article": "99999999999999999999"}, "Item number: there is no item 99999999999999999999."),
        ({"article": "9" * 5000}, f"Item number: “{'9' * 49}…” is not a whole number."),
        ({"article": DRAFT}, "Item number: item {draft} is not signed off."),
        ({"outlet": None}, "Outlet: this column is required."),
        ({"outlet": "Town Gazette"}, "Outlet: there is no outlet named “Town Gazette”."),
        ({"adopted_on": None}, "Published on: this column is required."),
        (
            {"adopted_on": "5 March 2026"},
            "Published on: “5 March 2026” is not a date; write it as YYYY-MM-DD.",
        ),
        ({"adopted_on": "2026-02-30"}, "Published on: “2026-02-30” is not a date; write it as YYYY-MM-DD."),
        ({"adopted_on": 46000}, "Published on: “46000” is not a date; write it as YYYY-MM-DD."),
        ({"adopted_on": date(2999, 1, 1)}, "Published on: 2999-01-01 is in the future."),
        ({"adopted_on": "1999-12-31"}, "Published on: 1999-12-31 is before the year 2000."),
        (
            {"url": "ftp://example.org/a"},
            "Address: “ftp://example.org/a” is not a web address starting with http(s)://.",
        ),
        (
            {"url": "www.example.org"},
            "Address: “www.example.org” is not a web address starting with http(s)://.",
        ),
        (
            {"instruction_level": "galaxy"},
            "Leader instruction level: “galaxy” is not a level; use one of: "
            "School, County / district, City, Province, National.",
        ),
        (
            {"instruction_leader": "Mayor Wang"},
            "Leader instruction level: required when an instructing leader or an instruction is given.",
        ),
        (
            {"instruction_text": "Well done."},
            "Leader instruction level: required when an instructing leader or an instruction is given.",
        ),
    ],
)
def test_a_bad_row_is_reported_with_its_row_number(signed_off, second, outlet, school, cells, message):
    draft = ArticleFactory(unit=school, status=Status.DRAFT)
    cells = {key: draft.pk if value is DRAFT else value for key, value in cells.items()}

    rows, errors = read([line(signed_off), line(second, **cells)])

    assert errors == [(3, message.format(draft=draft.pk))]
    assert rows == []


@pytest.mark.parametrize(
    "column, key, limit",
    [
        ("Address", "url", 500),
        ("Issue and page", "issue", 100),
        ("Note", "note", 500),
        ("Instructing leader", "instruction_leader", 100),
    ],
)
def test_text_longer_than_its_field_is_an_error_not_cut_short(signed_off, outlet, column, key, limit):
    text = "https://example.org/" + "a" * limit if key == "url" else "a" * (limit + 1)
    extra = {"instruction_level": "city"} if key == "instruction_leader" else {}

    rows, errors = read([line(signed_off, **{key: text}, **extra)])

    assert errors == [(2, f"{column}: “{text[:49]}…” is longer than {limit} characters.")]
    assert rows == []


def test_text_as_long_as_its_field_is_accepted(signed_off, outlet):
    rows, errors = read([line(signed_off, issue="a" * 100, note="  " + "b" * 500 + "  ")])

    assert errors == []
    assert rows[0]["note"] == "b" * 500


def test_the_same_item_and_outlet_twice_is_an_error_on_the_second_row(signed_off, second, outlet):
    rows, errors = read([line(signed_off), line(second), line(signed_off, note="again")])

    assert errors == [(4, f"Outlet: item {signed_off.pk} and outlet “City Daily” are already on row 2.")]
    assert rows == []


def test_every_problem_of_every_row_is_reported(signed_off, second, outlet):
    rows, errors = read(
        [
            line(signed_off, article="x", outlet="Nowhere", adopted_on=date(2999, 1, 1)),
            line(second),
            line(second, url="mailto:desk@example.org", outlet="city daily"),
        ]
    )

    assert errors == [
        (2, "Item number: “x” is not a whole number."),
        (2, "Outlet: there is no outlet named “Nowhere”."),
        (2, "Published on: 2999-01-01 is in the future."),
        (4, "Address: “mailto:desk@example.org” is not a web address starting with http(s)://."),
        (4, f"Outlet: item {second.pk} and outlet “City Daily” are already on row 3."),
    ]
    assert rows == []


def test_a_row_the_action_refuses_makes_the_whole_import_fail(signed_off, second, outlet, people):
    outlet_actions.record_office_adoption(signed_off, outlet, adopted_on=days_ago(10), by=people["director"])
    rows, errors = read([line(second), line(signed_off)])
    assert errors == []

    with pytest.raises(actions.ImportFailed) as failed:
        actions.import_adoptions(rows, by=people["director"])

    assert [number for number, _message in failed.value.errors] == [3]
    assert Adoption.objects.count() == 1


@pytest.mark.parametrize("count", [1, 25])
def test_reading_takes_the_same_queries_whatever_the_number_of_rows(
    school, outlet, count, django_assert_num_queries
):
    articles = ArticleFactory.create_batch(count, unit=school, status=Status.APPROVED)
    sheet = upload(workbook([line(article) for article in articles]))

    with django_assert_num_queries(2):  # the items, the outlets
        rows, errors = read_adoption_sheet(sheet)

    assert errors == []
    assert len(rows) == count


# --- The template -------------------------------------------------------------------------------


def test_the_template_filled_in_imports(signed_off, outlet, people):
    book = openpyxl.load_workbook(io.BytesIO(adoption_template()))
    data, lists = book.worksheets[0], book.worksheets[1]
    city = next(row[0] for row in lists.iter_rows(min_row=2, min_col=3, values_only=True) if row[0] == "City")
    data.append([signed_off.pk, lists["A2"].value, days_ago(2), "", "No. 3", "", city, "Li", "Share it."])

    rows, errors = read_adoption_sheet(upload(book))
    assert errors == []
    actions.import_adoptions(rows, by=people["director"])

    adoption = Adoption.objects.get()
    assert (adoption.article, adoption.outlet, adoption.instruction_level) == (signed_off, outlet, "city")


def test_the_template_example_is_not_imported(signed_off, outlet):
    template = adoption_template()
    book = openpyxl.load_workbook(io.BytesIO(template))
    examples = [
        cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value == "Example"
    ]
    assert examples and examples[0].font.i  # the example is there, on a sheet the reader does not read

    rows, errors = read_adoption_sheet(upload(template))

    assert rows == []
    assert errors == [(0, "The sheet has no adoptions below its header row.")]


def test_the_template_lists_active_outlets_and_levels_with_drop_downs(outlet):
    Outlet.objects.create(name="Paused Weekly", kind=Outlet.Kind.EMAIL, is_active=False)
    Outlet.objects.create(name="=Evening News", kind=Outlet.Kind.EMAIL)

    book = openpyxl.load_workbook(io.BytesIO(adoption_template()))
    data, lists = book.worksheets[0], book.worksheets[1]

    assert [c.value for c in data[1]] == HEADER
    assert data["A1"].font.b and data.freeze_panes == "A2"
    assert [r[0] for r in lists.iter_rows(min_row=2, max_col=1, values_only=True) if r[0]] == [
        "=Evening News",
        "City Daily",
    ]
    assert lists["A2"].data_type == "s"  # an outlet name is never a formula
    levels = list(lists.iter_rows(min_row=2, min_col=3, max_col=4, values_only=True))
    assert levels == [(str(label), code) for code, label in Outlet.Level.choices]
    drop_downs = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
    assert drop_downs == {"B2:B2001": "'Lists'!$A$2:$A$3", "G2:G2001": "'Lists'!$C$2:$C$6"}


# --- Refused files ------------------------------------------------------------------------------


def zipped(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, megabytes_of_zeros_or_bytes in members:
            with archive.open(name, "w", force_zip64=True) as member:
                if isinstance(megabytes_of_zeros_or_bytes, bytes):
                    member.write(megabytes_of_zeros_or_bytes)
                else:
                    for _ in range(megabytes_of_zeros_or_bytes):
                        member.write(bytes(1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"Item number,Outlet,Published on\n12,City Daily,2026-03-05\n",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        b"<!DOCTYPE html><html><body><table><tr><td>12</td></tr></table></body></html>",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),  # Excel 97-2003 (.xls)
        b"",
    ],
    ids=["csv", "pdf", "html", "xls", "empty"],
)
def test_a_file_that_is_not_an_xlsx_is_refused(db, content):
    assert read_adoption_sheet(upload(content)) == ([], [(0, NOT_XLSX)])


def test_a_zip_that_is_not_a_workbook_is_refused(db):
    document = zipped([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")])

    assert read_adoption_sheet(upload(document)) == ([], [(0, NOT_XLSX)])


def test_a_workbook_with_a_damaged_sheet_is_refused(signed_off, outlet):
    buffer = io.BytesIO()
    workbook([line(signed_off)]).save(buffer)
    damaged = io.BytesIO()
    with zipfile.ZipFile(buffer) as good, zipfile.ZipFile(damaged, "w") as bad:
        for member in good.infolist():
            content = good.read(member)
            bad.writestr(member, content[:200] if member.filename == "xl/worksheets/sheet1.xml" else content)

    assert read_adoption_sheet(upload(damaged.getvalue())) == ([], [(0, NOT_XLSX)])


@pytest.mark.parametrize(
    "members",
    [
        [("xl/worksheets/sheet1.xml", 60)],  # 60 MB of zeros: too big unpacked, and packed too tightly
        [("xl/worksheets/sheet1.xml", 2)],  # 2 MB of zeros: within the total, but packed too tightly
        [(f"xl/media/part{n}.xml", f"<p>{n}</p>".encode()) for n in range(101)],  # too many parts
    ],
    ids=["zeros", "ratio", "members"],
)
def test_a_decompression_bomb_is_refused_before_it_is_unpacked(db, members):
    bomb = zipped(members)
    assert len(bomb) < 2 * 1024 * 1024

    assert read_adoption_sheet(upload(bomb)) == ([], [(0, BOMB)])


def test_a_file_over_the_size_limit_is_refused(db, settings, signed_off, outlet):
    settings.REPORTS_IMPORT_MAX_BYTES = 1024
    sheet = upload(workbook([line(signed_off)]))

    assert read_adoption_sheet(sheet) == (
        [],
        [(0, f"The file is {sheet.size / 1024:.1f}\xa0KB; the largest accepted is 1.0\xa0KB.")],
    )


def test_a_sheet_of_more_than_2000_rows_is_refused(signed_off, outlet):
    rows, errors = read([line(signed_off)] * 2001)

    assert errors == [(0, "The sheet has more than 2000 rows of adoptions; split it into several files.")]
    assert rows == []


def test_a_sheet_of_2000_rows_is_read(signed_off, outlet):
    rows, errors = read([line(signed_off)] * 2000)

    assert {number for number, _message in errors} == set(range(3, 2002))  # repeats, but not refused
    assert rows == []


# --- Exports ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://evil.example","Unit 1")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"],
)
def test_formula_looking_text_is_exported_as_text(name):
    response = xlsx_response("units.xlsx", "Units", ["Unit", "Points"], [[name, 3]])

    sheet = exported(response)
    assert sheet["A2"].value == name
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].quotePrefix
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")


def test_values_are_exported_as_the_types_excel_expects():
    when = datetime(2026, 3, 5, 1, 30, tzinfo=UTC)  # 09:30 in Asia/Shanghai
    rows = [
        ["Unit\x01 One", date(2026, 3, 5), when, Decimal("12.5"), Percent(0.25), None, 7],
        ["Unit Two", None, None, 1.5, Percent(None), None, 0],
    ]

    response = xlsx_response(
        "figures.xlsx", "Figures: 2026/03", ["Unit", "Day", "At", "Pts", "Rate", "X", "N"], rows
    )

    assert response["Content-Type"] == XLSX
    sheet = exported(response)
    assert sheet.title == "Figures  2026 03"
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet["A2"].value == "Unit One"
    assert sheet["B2"].is_date and sheet["B2"].value == datetime(2026, 3, 5)
    assert sheet["C2"].value == datetime(2026, 3, 5, 9, 30)
    assert (sheet["D2"].data_type, sheet["D2"].value, sheet["D3"].value) == ("n", 12.5, 1.5)
    assert (sheet["E2"].value, sheet["E2"].number_format) == (0.25, "0.0%")
    assert sheet["E3"].value is None and sheet["F2"].value is None
    assert sheet["G3"].value == 0
    assert sheet.column_dimensions["A"].width >= len("Unit One")


def test_a_chinese_filename_gets_an_ascii_fallback_and_an_rfc_5987_name():
    response = xlsx_response("采用情况-2026-03.xlsx", "2026年3月", ["单位"], [["第一中学"]])

    header = response["Content-Disposition"]
    assert header.isascii()
    assert header == "attachment; filename=\"2026-03.xlsx\"; filename*=UTF-8''" + quote(
        "采用情况-2026-03.xlsx"
    )
    assert unquote(header.split("UTF-8''")[1]) == "采用情况-2026-03.xlsx"
    assert exported(response)["A2"].value == "第一中学"


def test_a_filename_cannot_break_out_of_its_header():
    response = xlsx_response('a"b\r\nSet-Cookie: x=1', "T", ["A"], [])

    assert response["Content-Disposition"] == (
        "attachment; filename=\"abSet-Cookie-x-1.xlsx\"; filename*=UTF-8''abSet-Cookie%3A%20x%3D1.xlsx"
    )


def test_uploading_the_same_sheet_twice_through_the_page_adds_nothing_twice(
    client, signed_off, outlet, people
):
    client.force_login(people["director"])
    book = workbook([line(signed_off, issue="No. 7")])
    first = client.post(reverse("reports:import_adoptions"), {"sheet": upload(book)})
    assert first.status_code == 302
    again = client.post(reverse("reports:import_adoptions"), {"sheet": upload(book)})  # a second click
    assert again.status_code == 302
    assert Adoption.objects.filter(article=signed_off).count() == 1
    changed = client.post(
        reverse("reports:import_adoptions"), {"sheet": upload(workbook([line(signed_off, issue="No. 8")]))}
    )
    assert "was already recorded" in changed.content.decode()


def test_characters_xml_cannot_hold_are_left_out_of_an_export():
    response = xlsx_response("units.xlsx", "Units", ["Unit", "Note"], [["Unit\ufffe One\uffff", "bell\x07"]])

    sheet = exported(response)
    assert (sheet["A2"].value, sheet["B2"].value) == ("Unit One", "bell")
