"""The office resets a person's password to a temporary one, which must be changed at the next sign-in."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import actions
from accounts.models import Role, User
from tests.accounts.test_lockout import fail
from tests.accounts.test_sign_in import sign_in
from tests.factories import PASSWORD, RoleAssignmentFactory, UnitFactory, UserFactory, officer_of

PEOPLE = "/accounts/people/"
OWN = "my-own-password-2026"


def reset_url(person):
    return reverse("accounts:reset_password", args=[person.pk])


@pytest.fixture
def admin(db):
    return UserFactory(username="admin-user", is_staff=True)


@pytest.fixture
def outsider(db):
    return officer_of(UnitFactory(name="Elsewhere School", parent=UnitFactory(name="Other Office")))


def temporary_password(client, by, person):
    client.force_login(by)
    response = client.post(reset_url(person))
    assert response.status_code == 200
    client.logout()
    return response.context["password"]


# --- Who may do it --------------------------------------------------------------------------


def test_the_people_page_asks_for_sign_in(client, db):
    assert client.get(PEOPLE)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 403), ("leader", 403), ("leadership", 403), ("director", 200), ("admin", 200)],
)
def test_only_the_office_director_and_admins_see_the_people_page(client, people, admin, who, status):
    client.force_login(admin if who == "admin" else people[who])
    assert client.get(PEOPLE).status_code == status


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("leader", 403), ("leadership", 403)])
def test_a_leader_or_officer_cannot_reset_a_password(client, people, school, who, status):
    colleague = officer_of(school)
    client.force_login(people[who])

    assert client.post(reset_url(colleague)).status_code == status
    colleague.refresh_from_db()
    assert colleague.check_password(PASSWORD) and not colleague.must_change_password


def test_the_director_cannot_reach_people_outside_the_office(client, people, outsider):
    client.force_login(people["director"])
    assert client.post(reset_url(outsider)).status_code == 404
    assert "Elsewhere School" not in client.get(PEOPLE).content.decode()


@pytest.mark.parametrize("whom", ["director", "leadership", "admin", "self"])
def test_the_director_cannot_reset_an_office_wide_account_an_admin_or_their_own(
    client, people, office, admin, whom
):
    director = people["director"]
    person = {
        "director": RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user,
        "leadership": people["leadership"],
        "admin": RoleAssignmentFactory(role=Role.LIAISON_OFFICER, unit=office, user=admin).user,
        "self": director,
    }[whom]
    client.force_login(director)

    assert client.post(reset_url(person)).status_code == 403
    person.refresh_from_db()
    assert not person.must_change_password


def test_an_admin_may_reset_anyone_but_a_superuser(client, admin, outsider):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    assert client.post(reset_url(outsider)).status_code == 200
    assert client.post(reset_url(superuser)).status_code == 403


def test_the_reset_is_a_post(client, people):
    client.force_login(people["director"])
    assert client.get(reset_url(people["officer"])).status_code == 405


# --- What it does --------------------------------------------------------------------------


def test_the_people_page_lists_the_office_and_offers_the_reset_where_allowed(client, people, outsider):
    client.force_login(people["director"])
    page = client.get(PEOPLE).content.decode()

    assert str(people["officer"]) in page and str(people["leader"]) in page
    assert page.count("Reset password</button>") == 2  # the officer and the leader, not office-wide roles
    assert reverse("accounts:units") in client.get("/").content.decode()  # the office's Units and people


@pytest.mark.parametrize("count", [1, 25])
def test_the_people_page_takes_a_fixed_number_of_queries(client, people, school, count):
    for _ in range(count):
        officer_of(school)
    client.force_login(people["director"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PEOPLE)
    assert response.status_code == 200
    assert len(queries) == 6, [q["sql"] for q in queries.captured_queries]


def test_the_temporary_password_is_shown_once_and_not_cached(client, people):
    client.force_login(people["director"])
    response = client.post(reset_url(people["officer"]))

    password = response.context["password"]
    assert f'data-testid="temporary-password">{password}<' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    officer = User.objects.get(pk=people["officer"].pk)
    assert officer.check_password(password) and officer.must_change_password


def test_the_reset_is_logged_with_who_whom_and_when(people):
    actions.reset_password(people["officer"], by=people["director"])

    entry = LogEntry.objects.get()
    assert (entry.user, entry.get_edited_object()) == (people["director"], people["officer"])
    assert entry.action_time is not None
    assert "Temporary password set" in entry.get_change_message()


def test_a_reset_ends_the_person_s_other_sessions(client, people):
    client.force_login(people["officer"])
    actions.reset_password(people["officer"], by=people["director"])

    assert client.get("/")["Location"].startswith(reverse("login"))


def test_a_reset_by_the_office_lifts_a_sign_in_lockout(client, people, settings):
    officer = people["officer"]
    fail(client, settings.AXES_FAILURE_LIMIT, username=officer.username)
    password = actions.reset_password(officer, by=people["director"])

    assert sign_in(client, officer.username, password, REMOTE_ADDR="10.0.0.1").status_code == 302


# --- The next sign-in ----------------------------------------------------------------------


def test_reset_by_the_director_then_forced_change_then_normal_use(client, people, article):
    officer = people["officer"]
    password = temporary_password(client, people["director"], officer)

    # The old password no longer works; the temporary one does, and leads to the change form.
    assert sign_in(client, officer.username, PASSWORD).status_code == 200
    assert sign_in(client, officer.username, password)["Location"] == "/"
    for page in ("/", reverse("submissions:list"), reverse("submissions:detail", args=[article.pk])):
        assert client.get(page)["Location"] == reverse("password_change")
    change = client.get(reverse("password_change")).content.decode()
    assert 'data-testid="must-change-password"' in change

    # Keeping the temporary one is refused.
    kept = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": password, "new_password2": password},
    )
    assert kept.status_code == 200 and "Choose a password of your own" in kept.content.decode()

    done = client.post(
        reverse("password_change"), {"old_password": password, "new_password1": OWN, "new_password2": OWN}
    )
    assert done["Location"] == reverse("password_change_done")
    assert client.get("/").status_code == 200  # still signed in, and free to go anywhere
    assert client.get(reverse("submissions:detail", args=[article.pk])).status_code == 200
    client.logout()
    assert sign_in(client, officer.username, OWN)["Location"] == "/"
    assert client.get("/").status_code == 200


def test_with_a_temporary_password_one_may_still_sign_out_switch_language_and_load_files(client, people):
    password = temporary_password(client, people["director"], people["officer"])
    sign_in(client, people["officer"].username, password)

    assert client.get("/static/css/publicity.css").status_code != 302
    switched = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert switched.status_code == 302 and switched["Location"] == "/"
    assert client.get(reverse("password_change")).status_code == 200
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_with_a_temporary_password_is_sent_to_the_change_form(client, people):
    password = temporary_password(client, people["director"], people["officer"])
    sign_in(client, people["officer"].username, password)

    response = client.get("/", HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == reverse("password_change")


def test_the_admin_sees_the_flag_and_the_reset_in_the_person_s_history(client, people):
    officer = people["officer"]
    actions.reset_password(officer, by=people["director"])
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    change = client.get(reverse("admin:accounts_user_change", args=[officer.pk])).content.decode()
    history = client.get(reverse("admin:accounts_user_history", args=[officer.pk])).content.decode()

    assert 'name="must_change_password" id="id_must_change_password" checked' in change
    assert "Temporary password set" in history and people["director"].username in history
