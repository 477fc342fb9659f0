"""Co-contributing units (协作单位) see, read-only, the items that credit them: their officers and
leaders, on their home and list pages and on the item page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from submissions.models import Status
from tests.factories import (
    ArticleFactory,
    RoleAssignmentFactory,
    UnitFactory,
    newest_activity_first,
    officer_of,
)

from .test_access import _photo, item_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(office):
    return UnitFactory(name="Partner School", parent=office)


@pytest.fixture
def shared(school, partner):
    article = ArticleFactory(unit=school, title="Joint sports day", status=Status.IN_REVIEW)
    article.co_units.add(partner)
    return article


@pytest.fixture
def partner_people(partner):
    return {
        "officer": officer_of(partner),
        "leader": RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=partner).user,
    }


@pytest.mark.parametrize("who", ["officer", "leader"])
def test_the_partners_people_see_the_item_and_its_photos_but_change_nothing(
    client, shared, partner_people, who
):
    photo = _photo(shared)
    client.force_login(partner_people[who])

    page = client.get(reverse("submissions:detail", args=[shared.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("submissions:edit", args=[shared.pk]) not in html
    assert reverse("reviews:withdraw", args=[shared.pk]) not in html
    assert f'href="{reverse("home")}"' in html.split('data-testid="way-back">', 1)[1].split("</li>", 1)[0]
    for name, url in item_urls(shared, photo):
        assert client.get(url).status_code in (200, 302, 405), name
    assert client.post(reverse("reviews:withdraw", args=[shared.pk])).status_code == 403
    assert client.get(reverse("submissions:edit", args=[shared.pk])).status_code == 302
    shared.refresh_from_db()
    assert shared.status == Status.IN_REVIEW


def test_a_draft_that_credits_the_partner_stays_with_its_unit(client, school, partner, partner_people):
    draft = ArticleFactory(unit=school)
    draft.co_units.add(partner)
    client.force_login(partner_people["officer"])
    assert client.get(reverse("submissions:detail", args=[draft.pk])).status_code == 404


def test_a_unit_not_credited_sees_nothing(client, office, shared):
    client.force_login(officer_of(UnitFactory(parent=office)))
    assert client.get(reverse("submissions:detail", args=[shared.pk])).status_code == 404


@pytest.mark.parametrize("who", ["officer", "leader"])
def test_the_partners_home_lists_the_items_that_credit_it(client, shared, partner_people, who):
    client.force_login(partner_people[who])
    page = client.get(reverse("home")).content.decode()
    section = page.split('data-testid="home-credited"', 1)[1]
    assert "Joint sports day" in section


def test_my_submissions_lists_the_items_that_credit_my_unit(client, shared, partner, partner_people):
    ArticleFactory(unit=partner, title="Our own item")
    client.force_login(partner_people["officer"])

    response = client.get(reverse("submissions:list"))

    assert {str(a) for a in response.context["articles"]} == {"Our own item", "Joint sports day"}
    assert 'data-testid="credited"' in response.content.decode()


@pytest.mark.parametrize("rows", [1, 25])
def test_the_partners_home_uses_a_fixed_number_of_queries(client, school, partner, partner_people, rows):
    for _ in range(rows):
        ArticleFactory(unit=school, status=Status.APPROVED).co_units.add(partner)
    client.force_login(partner_people["leader"])
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert len(response.context["credited"]) == min(rows, 5)
    # 7 (the roles and the unit tree are one query), the delegations in force for a deputy's queue,
    # and the open commissioned topics
    assert len(queries) == 9, [q["sql"] for q in queries]


def test_the_partners_home_lists_the_latest_activity_first(client, school, partner, partner_people):
    articles = ArticleFactory.create_batch(8, unit=school, status=Status.APPROVED)
    for article in articles:
        article.co_units.add(partner)
    expected = [a.pk for a in newest_activity_first(articles)]
    client.force_login(partner_people["officer"])

    credited = client.get(reverse("home")).context["credited"]

    assert [a.pk for a in credited] == expected[:5]
