"""The item ledger (报送台账): every unit's submitted items for the office, filtered, sorted,
exported and printed."""

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from outlets.models import Delivery
from submissions.models import Status
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    RoleAssignmentFactory,
    UnitClassFactory,
    UnitFactory,
    UserFactory,
    officer_of,
)

from .conftest import adopt, at, signed_off_item

pytestmark = pytest.mark.django_db

URL = reverse("reports:items")
OCTOBER, NOVEMBER = date(2026, 10, 12), date(2026, 11, 3)


@pytest.fixture
def director(office):
    return RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user


@pytest.fixture
def units(office):
    first, second = UnitClassFactory(name="Class 1"), UnitClassFactory(name="Class 2")
    return {
        "north": UnitFactory(name="North School", parent=office, unit_class=first),
        "south": UnitFactory(name="South School", parent=office, unit_class=second),
    }


def titles(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200
    return [str(item) for item in response.context["items"]]


def test_only_the_office_and_admins_see_the_ledger(client, office, units, director):
    leadership = RoleAssignmentFactory(role=Role.LEADERSHIP, unit=office).user
    admin = UserFactory(is_staff=True)
    for user in (director, leadership, admin):
        client.force_login(user)
        assert client.get(URL).status_code == 200
        assert client.get(URL, {"format": "xlsx"}).status_code == 200
        assert client.get(URL, {"format": "print"}).status_code == 200
    officer = officer_of(units["north"])
    leader = RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=units["north"]).user
    for user in (officer, leader, UserFactory()):
        client.force_login(user)
        for output in ("", "xlsx", "print"):
            assert client.get(URL, {"format": output}).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 302


def test_every_submitted_item_of_every_unit_and_no_draft(client, units, director):
    signed_off_item(units["north"], submitted=OCTOBER, title="North in October")
    signed_off_item(units["south"], submitted=NOVEMBER, title="South in November", status=Status.IN_REVIEW)
    ArticleFactory(unit=units["south"], title="A draft")
    client.force_login(director)

    page = client.get(URL).content.decode()

    assert titles(client) == ["South in November", "North in October"]
    assert "A draft" not in page
    item = signed_off_item(units["north"], submitted=OCTOBER, title="Linked")
    assert f'href="{reverse("submissions:detail", args=[item.pk])}"' in client.get(URL).content.decode()


def test_filters_by_unit_class_month_range_status_category_and_importance(client, units, director):
    sport = CategoryFactory(name="Sport")
    signed_off_item(units["north"], submitted=OCTOBER, title="North October sport", category=sport)
    signed_off_item(units["north"], submitted=NOVEMBER, title="North November", important=True)
    signed_off_item(units["south"], submitted=OCTOBER, title="South October", status=Status.REJECTED)
    client.force_login(director)

    assert titles(client, unit=units["north"].pk) == ["North November", "North October sport"]
    assert titles(client, unit_class=units["south"].unit_class_id) == ["South October"]
    assert titles(client, month="2026-10", sort="title") == ["North October sport", "South October"]
    assert titles(client, date_from="2026-10-13", date_to="2026-11-03") == ["North November"]
    assert titles(client, date_to="2026-10-12", sort="title") == ["North October sport", "South October"]
    assert titles(client, status=Status.REJECTED) == ["South October"]
    assert titles(client, category=sport.pk) == ["North October sport"]
    assert titles(client, important="yes") == ["North November"]
    assert titles(client, important="no", sort="title") == ["North October sport", "South October"]


def test_a_units_filter_holds_the_items_it_co_contributed(client, units, director):
    signed_off_item(units["north"], submitted=OCTOBER, title="North alone")
    shared = signed_off_item(units["south"], submitted=NOVEMBER, title="South with North")
    shared.co_units.add(units["north"])
    client.force_login(director)

    assert titles(client, unit=units["north"].pk) == ["South with North", "North alone"]
    assert titles(client, unit=units["south"].pk) == ["South with North"]


def test_filters_by_outlet_adoption_and_search(client, units, director, outlets):
    adopted = signed_off_item(units["north"], submitted=OCTOBER, title="Adopted by the city")
    sent = signed_off_item(units["south"], submitted=OCTOBER, title="Sent to the county", body="<p>Choir</p>")
    adopt(adopted, outlets["city"], OCTOBER + timedelta(days=2))
    revision = sent.revisions.create(number=1, title="t", body="b", content_hash="x", created_by=sent.author)
    Delivery.objects.create(article=sent, revision=revision, outlet=outlets["county"], created_by=director)
    client.force_login(director)

    assert titles(client, adopted="yes") == ["Adopted by the city"]
    assert titles(client, adopted="no") == ["Sent to the county"]
    assert titles(client, outlet=outlets["city"].pk) == ["Adopted by the city"]
    assert titles(client, outlet=outlets["county"].pk) == ["Sent to the county"]
    assert titles(client, q="choir") == ["Sent to the county"]
    assert titles(client, q="CITY") == ["Adopted by the city"]


def test_sorts_by_any_column_both_ways(client, units, director):
    a = signed_off_item(units["south"], submitted=OCTOBER, title="Alpha")
    b = signed_off_item(units["north"], submitted=NOVEMBER, title="Beta")
    client.force_login(director)
    from reports.items import SORTS

    for key in SORTS:
        assert client.get(URL, {"sort": key}).status_code == 200
        assert client.get(URL, {"sort": f"-{key}"}).status_code == 200
    assert titles(client, sort="title") == ["Alpha", "Beta"]
    assert titles(client, sort="-title") == ["Beta", "Alpha"]
    assert titles(client, sort="unit") == ["Beta", "Alpha"]  # units in their order: North before South
    assert titles(client, sort="number") == [str(a), str(b)]
    assert titles(client, sort="submitted") == ["Alpha", "Beta"]
    assert titles(client, sort="nonsense") == ["Beta", "Alpha"]  # the default: latest first


def test_a_range_that_ends_before_it_starts_says_so(client, units, director):
    client.force_login(director)
    response = client.get(URL, {"date_from": "2026-11-02", "date_to": "2026-11-01"})
    assert "The end of the range is before its start." in response.content.decode()


@pytest.mark.parametrize("rows", [1, 25])
def test_the_ledger_uses_a_fixed_number_of_queries_and_never_counts(client, units, director, outlets, rows):
    for n in range(rows):
        item = signed_off_item(units["north" if n % 2 else "south"], submitted=OCTOBER)
        adopt(item, outlets["city"], OCTOBER)
        item.co_units.add(units["north"])
    client.force_login(director)
    client.get(URL)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"month": "2026-10", "adopted": "yes", "sort": "unit"})

    assert len(response.context["items"]) == rows
    assert len(queries) == 12, [q["sql"] for q in queries]
    assert not any("COUNT(" in q["sql"] for q in queries)


def test_the_export_holds_exactly_what_is_filtered(client, units, director, outlets):
    north = signed_off_item(units["north"], submitted=OCTOBER, title="North adopted")
    adopt(north, outlets["daily"], date(2026, 10, 20))
    signed_off_item(units["north"], submitted=OCTOBER, title="North not adopted")
    other = signed_off_item(units["south"], submitted=OCTOBER, title="South adopted")
    adopt(other, outlets["daily"], date(2026, 10, 20))
    client.force_login(director)

    response = client.get(
        URL, {"unit": units["north"].pk, "month": "2026-10", "adopted": "yes", "format": "xlsx"}
    )

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Item number", "Title", "Unit")
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [(north.pk, "North adopted", "North School")]
    assert rows[1][13] == "Shawan Daily"


def test_the_print_view_is_an_a4_landscape_page_of_the_filtered_items(client, units, director):
    signed_off_item(units["north"], submitted=OCTOBER, title="North in October")
    signed_off_item(units["north"], submitted=NOVEMBER, title="North in November")
    client.force_login(director)

    response = client.get(URL, {"month": "2026-10", "format": "print"})

    page = response.content.decode()
    assert "Item ledger 2026-10" in page and "North in October" in page and "North in November" not in page
    assert "css/ledger_print" in page
    from django.contrib.staticfiles import finders

    with open(finders.find("css/ledger_print.css"), encoding="utf-8") as css:
        assert "size: A4 landscape" in css.read()


def test_times_are_days_in_the_offices_time_zone(client, units, director):
    late = ArticleFactory(unit=units["north"], title="Late on the last day", status=Status.IN_REVIEW)
    late.submitted_at = at(date(2026, 10, 31), hour=23)
    late.save()
    client.force_login(director)
    assert titles(client, month="2026-10") == ["Late on the last day"]
    assert titles(client, month="2026-11") == []


def test_the_ledger_pages_by_cursor_newest_submission_first_each_item_once(client, units, director):
    items = [signed_off_item(units["north"], submitted=OCTOBER + timedelta(days=n // 2)) for n in range(27)]
    ArticleFactory(unit=units["north"])  # a draft: not in the ledger
    client.force_login(director)

    first = client.get(URL)
    second = client.get(f"{URL}?{first.context['next_query']}")

    assert "cursor=" in first.context["next_query"]
    shown = [item.pk for item in [*first.context["items"], *second.context["items"]]]
    assert shown == [i.pk for i in sorted(items, key=lambda i: (i.submitted_at, i.pk), reverse=True)]
