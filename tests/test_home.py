import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from submissions.models import Status
from tests.factories import ArticleFactory, PhotoFactory, newest_activity_first, officer_of

pytestmark = pytest.mark.django_db


def test_officer_home_shows_the_units_month_and_latest_items(client, school):
    officer = officer_of(school)
    now = timezone.now()
    ArticleFactory(unit=school, title="Sent this month", status=Status.IN_REVIEW, submitted_at=now)
    ArticleFactory(unit=school, title="Sent last year", status=Status.IN_REVIEW,
                   submitted_at=now - timezone.timedelta(days=400))  # fmt: skip
    ArticleFactory(unit=school, title="Still a draft")
    ArticleFactory(title="Another unit's", submitted_at=now)
    client.force_login(officer)

    response = client.get("/")

    page = response.content.decode()
    assert '<dd class="col-4 text-end" data-testid="submitted-this-month">1</dd>' in page
    assert "Sent this month" in page and "Still a draft" in page and "Another unit" not in page


@pytest.mark.parametrize("items", [1, 25])
def test_officer_home_queries_do_not_grow_with_items(client, school, items):
    officer = officer_of(school)
    ArticleFactory.create_batch(items, unit=school)
    client.force_login(officer)
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        client.get("/")

    # 8 for the page itself; 1 for a deputy's stand-in review queue (代审); 3 for the unit's standing
    # against its minimum (figures to recount, the kept figures, quotas); 1 for the officer's year
    # (the kept figures, recounted with the unit's); 1 for the items that credit the unit; 1 for the
    # open commissioned topics (none here)
    assert len(queries) == 14


def test_an_officer_sees_the_unit_against_its_minimum_and_own_points(client, school):
    from reports.models import Quota

    Quota.objects.create(unit_class=school.unit_class, min_submitted=2, min_adopted=1)
    officer = officer_of(school)
    ArticleFactory(unit=school, author=officer, status=Status.IN_REVIEW, submitted_at=timezone.now())
    client.force_login(officer)
    page = client.get("/").content.decode()
    assert "This month: 1 submitted (minimum 2), 0 adopted (minimum 1)." in page
    assert f"In {timezone.localdate().year}: 0 items I wrote were adopted; points earned: 0" in page


def test_officer_home_lists_the_latest_activity_first(client, school):
    articles = ArticleFactory.create_batch(8, unit=school)
    PhotoFactory(article=articles[-1])
    expected = [a.pk for a in newest_activity_first(articles)]
    client.force_login(officer_of(school))

    recent = client.get("/").context["recent"]

    assert [a.pk for a in recent] == expected[:5]


def test_an_item_crediting_the_unit_counts_in_its_month(client, school):
    officer = officer_of(school)
    shared = ArticleFactory(title="Another unit's", status=Status.IN_REVIEW, submitted_at=timezone.now())
    shared.co_units.add(school)
    client.force_login(officer)

    page = client.get("/").content.decode()

    assert '<dd class="col-4 text-end" data-testid="submitted-this-month">1</dd>' in page


def test_officer_home_marks_the_latest_items_an_outlet_adopted(client, school):
    from outlets.models import Adoption, Outlet

    officer = officer_of(school)
    now = timezone.now()
    adopted = ArticleFactory(unit=school, title="Adopted item", status=Status.APPROVED, submitted_at=now)
    ArticleFactory(unit=school, title="Waiting item", status=Status.APPROVED, submitted_at=now)
    outlet = Outlet.objects.create(name="City daily", kind=Outlet.Kind.EMAIL, endpoint="news@example.org")
    Adoption.objects.create(
        article=adopted,
        outlet=outlet,
        level=outlet.level,
        adopted_on=now.date(),
        source=Adoption.Source.OFFICE,
    )
    client.force_login(officer)

    recent = {a.title: a.adopted for a in client.get("/").context["recent"]}

    assert recent == {"Adopted item": True, "Waiting item": False}
