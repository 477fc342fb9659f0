"""The units-and-people sheet: the template, every row checked, all or nothing, hostile files refused."""

import io

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.models import Role, Unit, UnitClass, User
from accounts.sheets import read_people_sheet
from tests.factories import UnitClassFactory, UnitFactory, UserFactory
from tests.reports.test_sheets import NOT_XLSX, upload, zipped

HEADER = ["Unit", "Parent unit", "Unit class", "Person's name", "Username", "E-mail", "Role"]
IMPORT = "/accounts/units/import/"


@pytest.fixture
def primary(school):
    """The only unit class (the test school's too)."""
    primary = UnitClassFactory(name="Primary")
    Unit.objects.update(unit_class=primary)
    UnitClass.objects.exclude(pk=primary.pk).delete()
    return primary


def sheet(rows, header=HEADER):
    book = openpyxl.Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    return upload(book, name="people.xlsx")


def three_schools(office_name="Test Office"):
    rows = []
    for n, town in enumerate(["Jiayang", "Shawan", "Tongjiang"], start=1):
        school = f"{town} Central School"
        rows.append([school, office_name, "Primary", f"Officer {town}", f"officer{n}", f"o{n}@example.org",
                     "Liaison officer"])  # fmt: skip
        if town != "Tongjiang":
            rows.append([school, "", "", f"Leader {town}", f"leader{n}", "", "分管领导"])
    return rows


def post(client, rows, header=HEADER):
    return client.post(IMPORT, {"sheet": sheet(rows, header)})


# --- Who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "leader", "leadership"])
def test_only_the_office_imports_or_downloads_the_template(client, people, primary, who):
    client.force_login(people[who])
    assert client.get(IMPORT).status_code == 403
    assert client.get(reverse("accounts:import_template")).status_code == 403
    assert post(client, three_schools()).status_code == 403
    assert not Unit.objects.filter(name="Jiayang Central School").exists()


# --- The template --------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "first"), [("en", "Unit"), ("zh-hans", "单位")])
def test_the_template_comes_in_the_user_s_language(client, people, primary, language, first):
    client.force_login(people["director"])
    response = client.get(reverse("accounts:import_template"), headers={"accept-language": language})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert book.worksheets[0]["A1"].value == first and book.worksheets[0].max_row == 1


def test_the_filled_template_in_chinese_is_read(people, primary):
    rows, errors = read_people_sheet(
        sheet([["嘉阳镇中心校", "", "Primary", "王芳", "wangfang", "", "信息员"]], ["单位"] * 7),
        by=people["director"],
    )
    assert errors == [] and rows[0]["role"] == Role.LIAISON_OFFICER


# --- Importing ------------------------------------------------------------------------------------


def test_the_director_imports_three_schools_with_their_officers_and_leaders(client, people, office, primary):
    client.force_login(people["director"])
    response = post(client, three_schools())

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "3 units added, 5 people added, 5 roles given." in response.content.decode()
    jiayang = Unit.objects.get(name="Jiayang Central School")
    assert (jiayang.parent, jiayang.unit_class) == (office, primary)
    officer = User.objects.get(username="officer1")
    password = dict((p.username, pw) for p, pw in response.context["new_people"])["officer1"]
    assert officer.check_password(password) and officer.must_change_password
    assert officer.role_assignments.get().unit == jiayang
    assert User.objects.get(username="leader1").role_assignments.get().role == Role.LEADER_IN_CHARGE
    assert LogEntry.objects.filter(user=people["director"]).count() == 3 + 5 + 5
    page = client.get(reverse("accounts:units")).content.decode()
    assert "Tongjiang Central School has no leader in charge: its items cannot be reviewed." in page


def test_an_existing_person_gets_a_role_and_keeps_their_password(client, people, school, primary):
    client.force_login(people["director"])
    officer = people["officer"]
    response = post(client, [["Test School", "", "", "", officer.username.upper(), "", "leader_in_charge"]])
    assert "0 units added, 0 people added, 1 roles given." in response.content.decode()
    officer.refresh_from_db()
    assert not officer.must_change_password
    assert set(officer.role_assignments.values_list("role", flat=True)) == {
        "liaison_officer",
        "leader_in_charge",
    }


def test_one_bad_row_imports_nothing_and_every_error_has_its_row(client, people, primary):
    rows = three_schools()
    rows.append(
        ["New School", "No Such Unit", "Secondary", "", "bad name!", "not-an-e-mail", "Office director"]
    )
    client.force_login(people["director"])
    response = post(client, rows)

    errors = response.context["errors"]
    assert {number for number, _message in errors} == {7}
    assert [message for _number, message in errors] == [
        "Unit class: “Secondary” is not a unit class; use one of: Primary.",
        "Parent unit: there is no unit “No Such Unit” (a new one must be on an earlier row).",
        "Username: “bad name!” may hold only letters, digits and @ . + - _.",
        "Role: “Office director” is not a role you give; use one of: Liaison officer, Leader in charge.",
        "Person's name: required for a new person.",
        "E-mail: “not-an-e-mail” is not an e-mail address.",
    ]
    assert not Unit.objects.filter(name__endswith="Central School").exists()
    assert not User.objects.filter(username__startswith="officer").exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["", "", "", "A", "a", "", "Liaison officer"], "Unit: this column is required."),
        (
            ["Test School", "", "", "A", "", "", "Liaison officer"],
            "Username: required when a person is given.",
        ),
        (["Test School", "", "", "A", "a1", "", ""], "Role: required when a person is given."),
        (
            ["Test School", "", "Other", "", "", "", ""],
            "Unit class: “Other” is not a unit class; use one of: Primary.",
        ),
    ],
)
def test_each_column_is_checked(people, school, primary, row, message):
    assert read_people_sheet(sheet([row]), by=people["director"]) == ([], [(2, message)])


def test_a_username_taken_in_another_case_is_an_existing_person_not_a_new_one(people, school, primary):
    UserFactory(username="WangFang")
    rows, errors = read_people_sheet(sheet([["Test School", "", "", "", "wangfang", "", "Liaison officer"]]),
                                     by=people["director"])  # fmt: skip
    assert errors == [] and rows[0]["person"].username == "WangFang"


def test_the_same_new_username_with_two_names_is_refused(people, school, primary):
    rows = [
        ["Test School", "", "", "Wang Fang", "wf", "", "Liaison officer"],
        ["Test School", "", "", "Wang Li", "wf", "", "Leader in charge"],
    ]
    assert read_people_sheet(sheet(rows), by=people["director"])[1] == [
        (3, "Person's name: wf is on row 2 with another name or e-mail.")
    ]


def test_the_director_cannot_give_a_role_to_a_fellow_director_by_sheet(people, school, primary):
    rows = [["Test School", "", "", "", people["leadership"].username, "", "Liaison officer"]]
    errors = read_people_sheet(sheet(rows), by=people["director"])[1]
    assert errors == [(2, f"Username: you may not give {people['leadership'].username} a role.")]


def test_units_of_another_office_are_not_found_and_not_created_there(people, primary):
    elsewhere = UnitFactory(name="Other Office", unit_class=None)
    errors = read_people_sheet(
        sheet([["New School", "Other Office", "", "", "", "", ""]]), by=people["director"]
    )[1]
    assert errors == [
        (2, "Parent unit: there is no unit “Other Office” (a new one must be on an earlier row).")
    ]
    assert not elsewhere.children.exists()


@pytest.mark.parametrize("count", [1, 25])
def test_reading_takes_the_same_queries_whatever_the_number_of_rows(
    people, primary, count, django_assert_num_queries
):
    rows = [["Test School", "", "", f"P {n}", f"p{n}", "", "Liaison officer"] for n in range(count)]
    rows += [[f"New {n}", "Test School", "Primary", "", people["officer"].username, "", "Leader in charge"]
             for n in range(count)]  # fmt: skip
    upload_ = sheet(rows)
    with django_assert_num_queries(8):
        assert read_people_sheet(upload_, by=people["director"])[1] == []


# --- Hostile files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"Unit,Parent unit\nA,B\n", b"%PDF-1.4\n%%EOF\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), b""],
    ids=["csv", "pdf", "xls", "empty"],
)
def test_a_file_that_is_not_an_xlsx_is_refused(people, content):
    assert read_people_sheet(upload(content), by=people["director"]) == ([], [(0, NOT_XLSX)])


def test_a_decompression_bomb_is_refused_before_it_is_unpacked(people):
    bomb = zipped([("xl/worksheets/sheet1.xml", 60)])
    message = "This file was refused: it unpacks to far more data than a sheet of units and people holds"
    message += " (50.0\xa0MB)."
    assert read_people_sheet(upload(bomb), by=people["director"]) == ([], [(0, message)])


def test_a_file_over_the_size_limit_is_refused(client, people, settings, primary):
    settings.REPORTS_IMPORT_MAX_BYTES = 1024
    client.force_login(people["director"])
    response = post(client, three_schools() * 5)
    assert response.context["errors"][0][1].startswith("The file is ")
    assert not User.objects.filter(username="officer1").exists()


def test_a_sheet_of_more_than_2000_rows_is_refused(people, primary):
    rows = [["Test School", "", "", "", "", "", ""]] * 2001
    assert read_people_sheet(sheet(rows), by=people["director"]) == (
        [], [(0, "The sheet has more than 2000 rows; split it into several files.")]
    )  # fmt: skip


def test_a_formula_is_never_worked_out_nor_taken_as_a_name(people, school, primary):
    rows = [["Test School", "", "", '=HYPERLINK("http://evil.example","x")', "evil", "", "Liaison officer"]]
    errors = read_people_sheet(sheet(rows), by=people["director"])[1]
    assert errors == [(2, "Person's name: required for a new person.")]


@pytest.mark.parametrize("who", ["director", "admin"])
def test_the_director_and_admins_reach_the_import_and_the_template(client, people, primary, who):
    client.force_login(UserFactory(username="admin-user", is_staff=True) if who == "admin" else people[who])
    assert client.get(IMPORT).status_code == 200
    assert client.get(reverse("accounts:import_template")).status_code == 200


def test_the_import_asks_for_sign_in(client, db):
    for url in (IMPORT, reverse("accounts:import_template")):
        assert client.get(url)["Location"].startswith(reverse("login"))
