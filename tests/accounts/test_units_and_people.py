"""The office's Units and people pages: the unit tree and its gaps, units and people changed by the
office director, every change logged."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import actions
from accounts.models import Role, RoleAssignment, Unit, User
from tests.factories import (
    PASSWORD,
    ArticleFactory,
    RoleAssignmentFactory,
    UnitFactory,
    UserFactory,
    leader_of,
    officer_of,
)


@pytest.fixture
def admin(db):
    return UserFactory(username="admin-user", is_staff=True)


@pytest.fixture
def elsewhere(db):
    return UnitFactory(name="Elsewhere School", parent=UnitFactory(name="Other Office", unit_class=None))


def as_user(client, people, admin, who):
    client.force_login(admin if who == "admin" else people[who])


def urls(school, people):
    assignment = people["officer"].role_assignments.get()
    person = people["officer"].pk
    return [
        ("get", reverse("accounts:units")),
        ("get", reverse("accounts:add_unit")),
        ("get", reverse("accounts:edit_unit", args=[school.pk])),
        ("post", reverse("accounts:set_unit_active", args=[school.pk])),
        ("get", reverse("accounts:add_person")),
        ("get", reverse("accounts:person", args=[person])),
        ("post", reverse("accounts:give_role", args=[person])),
        ("post", reverse("accounts:take_role", args=[person, assignment.pk])),
        ("post", reverse("accounts:set_person_active", args=[person])),
    ]


# --- Who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "leader", "leadership"])
def test_only_the_office_manages_units_and_people(client, people, school, admin, who):
    as_user(client, people, admin, who)
    for method, url in urls(school, people):
        assert getattr(client, method)(url).status_code == 403, url
    assert school.is_active and people["officer"].role_assignments.count() == 1


@pytest.mark.parametrize("who", ["director", "admin"])
def test_the_director_and_admins_reach_every_page(client, people, school, admin, who):
    as_user(client, people, admin, who)
    for method, url in urls(school, people):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_every_page_asks_for_sign_in(client, people, school):
    for method, url in urls(school, people):
        assert getattr(client, method)(url)["Location"].startswith(reverse("login")), url


def test_the_director_cannot_reach_units_or_people_of_another_office(client, people, elsewhere):
    client.force_login(people["director"])
    stranger = officer_of(elsewhere)
    assert client.get(reverse("accounts:edit_unit", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("accounts:set_unit_active", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("accounts:person", args=[stranger.pk])).status_code == 404
    assert "Elsewhere School" not in client.get(reverse("accounts:units")).content.decode()


# --- The unit tree ----------------------------------------------------------------------------------


def test_the_tree_shows_each_unit_with_its_people_and_flags_the_missing_leader(
    client, people, office, school
):
    bare = UnitFactory(name="Jiayang Town Central School", parent=office)
    officer_of(bare, user=UserFactory(display_name="Wang Fang"))
    client.force_login(people["director"])
    page = client.get(reverse("accounts:units")).content.decode()

    assert "Jiayang Town Central School has no leader in charge: its items cannot be reviewed." in page
    assert "Test School has no" not in page
    assert "Wang Fang" in page and str(people["leader"]) in page


def test_a_deactivated_leader_leaves_the_unit_flagged(client, people):
    people["leader"].is_active = False
    people["leader"].save()
    client.force_login(people["director"])
    page = client.get(reverse("accounts:units")).content.decode()
    assert "Test School has no leader in charge" in page


@pytest.mark.parametrize("count", [1, 25])
def test_the_units_page_takes_a_fixed_number_of_queries(client, people, office, count):
    for _ in range(count):
        unit = UnitFactory(parent=office)
        officer_of(unit), leader_of(unit)
    client.force_login(people["director"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accounts:units"))
    assert response.status_code == 200
    assert len(queries) == 10, [q["sql"] for q in queries.captured_queries]


# --- Units ---------------------------------------------------------------------------------------


def test_the_director_adds_renames_and_moves_a_unit_and_each_change_is_logged(client, people, office, school):
    client.force_login(people["director"])
    response = client.post(reverse("accounts:add_unit"), {"name": "  New  School ", "parent": office.pk})
    assert response.status_code == 302
    new = Unit.objects.get(name="New School")
    client.post(
        reverse("accounts:edit_unit", args=[new.pk]),
        {"name": "Renamed School", "parent": school.pk, "active_from": "2026-09-01"},
    )
    new.refresh_from_db()
    assert (new.name, new.parent, str(new.active_from)) == ("Renamed School", school, "2026-09-01")
    log = LogEntry.objects.filter(object_id=str(new.pk)).order_by("action_time")
    assert [entry.user for entry in log] == [people["director"]] * 2
    assert "name New School → Renamed School" in log.last().change_message


def test_a_unit_cannot_move_below_one_of_its_own_units(client, people, office, school):
    below = UnitFactory(name="Branch", parent=school)
    client.force_login(people["director"])
    response = client.post(
        reverse("accounts:edit_unit", args=[school.pk]), {"name": "Test School", "parent": below.pk}
    )
    assert (
        "Test School cannot be moved below Branch: that is one of its own units." in response.content.decode()
    )
    school.refresh_from_db()
    assert school.parent == office


def test_a_director_cannot_move_a_unit_out_of_the_office(people, school, elsewhere):
    with pytest.raises(actions.PermissionDenied):
        actions.change_unit(
            school,
            name=school.name,
            parent=elsewhere,
            unit_class=None,
            active_from=None,
            by=people["director"],
        )


def test_two_units_of_one_name_below_one_parent_are_refused(client, people, office, school):
    client.force_login(people["director"])
    response = client.post(reverse("accounts:add_unit"), {"name": "Test School", "parent": office.pk})
    assert "There is already a unit named “Test School” below Test Office." in response.content.decode()


def test_deactivating_a_unit_keeps_its_items_and_a_unit_with_active_units_below_stays(
    client, people, office, school
):
    item = ArticleFactory(unit=school, author=people["officer"])
    client.force_login(people["director"])
    client.post(reverse("accounts:set_unit_active", args=[office.pk]), {"active": "0"})
    office.refresh_from_db()
    assert office.is_active

    client.post(reverse("accounts:set_unit_active", args=[school.pk]), {"active": "0"})
    school.refresh_from_db()
    assert not school.is_active and item.__class__.objects.filter(pk=item.pk, unit=school).exists()
    assert "Deactivated" in client.get(reverse("accounts:units")).content.decode()
    client.post(reverse("accounts:set_unit_active", args=[school.pk]), {"active": "1"})
    school.refresh_from_db()
    assert school.is_active


# --- People --------------------------------------------------------------------------------------


def test_the_director_adds_a_person_who_must_change_the_password_shown_once(client, people, school):
    client.force_login(people["director"])
    response = client.post(
        reverse("accounts:add_person"),
        {
            "display_name": "Li Na",
            "username": "lina",
            "email": "",
            "role": Role.LIAISON_OFFICER,
            "unit": school.pk,
        },
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = response.context["password"]
    person = User.objects.get(username="lina")
    assert person.must_change_password and person.check_password(password)
    assert list(person.role_assignments.values_list("role", "unit")) == [(Role.LIAISON_OFFICER, school.pk)]
    assert LogEntry.objects.get(object_id=str(person.pk)).user == people["director"]

    client.logout()
    client.post(reverse("login"), {"username": "lina", "password": password})
    assert client.get("/")["Location"] == reverse("password_change")


def test_a_taken_username_is_refused_and_nothing_is_added(client, people, school):
    client.force_login(people["director"])
    taken = people["officer"].username
    response = client.post(
        reverse("accounts:add_person"),
        {"display_name": "X", "username": taken.upper(), "role": Role.LIAISON_OFFICER, "unit": school.pk},
    )
    assert f"The username “{taken.upper()}” is taken." in response.content.decode()
    assert User.objects.count() == 4


def test_a_director_gives_only_unit_roles(client, people, office, school):
    client.force_login(people["director"])
    form = client.get(reverse("accounts:add_person")).context["form"]
    assert [value for value, _label in form.fields["role"].choices] == [
        Role.LIAISON_OFFICER,
        Role.LEADER_IN_CHARGE,
    ]
    response = client.post(
        reverse("accounts:give_role", args=[people["officer"].pk]),
        {"role": Role.OFFICE_DIRECTOR, "unit": office.pk},
    )
    assert response.status_code == 400
    assert not RoleAssignment.objects.filter(user=people["officer"], role=Role.OFFICE_DIRECTOR).exists()


def test_the_director_gives_and_takes_a_role_but_not_the_last_one(client, people, office, school):
    other = UnitFactory(name="Second School", parent=office)
    officer = people["officer"]
    client.force_login(people["director"])
    client.post(
        reverse("accounts:give_role", args=[officer.pk]), {"role": Role.LEADER_IN_CHARGE, "unit": other.pk}
    )
    assert officer.role_assignments.filter(role=Role.LEADER_IN_CHARGE, unit=other).exists()
    first = officer.role_assignments.get(unit=school)
    client.post(reverse("accounts:take_role", args=[officer.pk, first.pk]))
    last = officer.role_assignments.get()
    response = client.post(reverse("accounts:take_role", args=[officer.pk, last.pk]), follow=True)
    assert "This is the last role of" in response.content.decode()
    assert list(officer.role_assignments.all()) == [last]
    messages = list(
        LogEntry.objects.filter(object_id=str(officer.pk)).values_list("change_message", flat=True)
    )
    assert any("Role given" in m for m in messages) and any("Role taken" in m for m in messages)


def test_the_director_cannot_change_a_fellow_director(client, people, office):
    fellow = RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user
    client.force_login(people["director"])
    assert (
        client.post(reverse("accounts:set_person_active", args=[fellow.pk]), {"active": "0"}).status_code
        == 403
    )
    fellow.refresh_from_db()
    assert fellow.is_active


def test_a_deactivated_person_cannot_sign_in_and_their_items_stay(client, people, school):
    officer = people["officer"]
    item = ArticleFactory(unit=school, author=officer)
    client.force_login(people["director"])
    client.post(reverse("accounts:set_person_active", args=[officer.pk]), {"active": "0"})
    officer.refresh_from_db()
    assert not officer.is_active and officer.role_assignments.exists()
    assert item.__class__.objects.get(pk=item.pk).author == officer
    client.logout()
    client.post(reverse("login"), {"username": officer.username, "password": PASSWORD})
    assert client.get("/")["Location"].startswith(reverse("login"))


def test_the_director_adds_units_below_the_office_only(client, people):
    client.force_login(people["director"])
    response = client.post(reverse("accounts:add_unit"), {"name": "Floating School"})
    assert response.status_code == 200 and response.context["form"].errors["parent"]
    assert not Unit.objects.filter(name="Floating School").exists()
