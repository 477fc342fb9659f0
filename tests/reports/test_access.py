"""Every assessment URL, walked by people who may not use it: nothing shown, nothing changed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from outlets.models import Adoption
from reports import urls as report_urls
from reports.models import Bulletin, Reminder, YearEvent
from tests.factories import RoleAssignmentFactory, UnitClassFactory, UnitFactory, UserFactory, officer_of

from .conftest import signed_off_item

ARGS = {"unit_id": "other_unit", "pk": "draft", "kind": "pdf", "year": 2025}
FORM = {
    "period": "2026-10",
    "adopted_on": "2026-10-01",
    "title": "x",
    "body": "y",
    "version": 1,
    "reason": "z",
}


@pytest.fixture
def world(office, outlets):
    unit_class = UnitClassFactory(name="Class 1")
    own, other = (UnitFactory(parent=office, unit_class=unit_class) for _ in range(2))
    director = RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user
    draft = Bulletin.objects.create(
        period="month", year=2026, number=1, title="Draft", body="<p>x</p>", created_by=director
    )
    item = signed_off_item(other, submitted=timezone.localdate())
    return {"own": own, "other_unit": other, "draft": draft, "item": item}


def every_url(world):
    for pattern in report_urls.urlpatterns:
        names = pattern.pattern.converters.keys()
        args = [ARGS[name] for name in names]
        values = [world[a].pk if a in world else a for a in args]
        yield pattern.name, reverse(f"reports:{pattern.name}", args=values)


@pytest.mark.parametrize("who", ["officer of another unit", "leader of another unit", "user without a role"])
def test_outsiders_see_nothing_and_change_nothing(client, world, outlets, who):
    own = world["own"]
    user = {
        "officer of another unit": lambda: officer_of(own),
        "leader of another unit": lambda: RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=own).user,
        "user without a role": lambda: UserFactory(),
    }[who]()
    client.force_login(user)
    unit_pages = {"my_unit", "year_end", "year_end_docx", "year_end_xlsx", "bulletins"}
    for name, url in every_url(world):
        status = client.get(url).status_code
        if name in unit_pages and who != "user without a role":
            assert status == 200, url  # their own unit's figures, published bulletins
        else:
            assert status in (403, 404, 405), url
        posted = client.post(url, {**FORM, "article": world["item"].pk, "outlet": outlets["city"].pk})
        allowed = (
            (200, 403, 404, 405) if name in unit_pages and who != "user without a role" else (403, 404, 405)
        )
        assert posted.status_code in allowed, url
    assert not Adoption.objects.exists() and not Reminder.objects.exists()
    assert not YearEvent.objects.exists()
    world["draft"].refresh_from_db()
    assert world["draft"].title == "Draft" and not world["draft"].is_published
    assert Bulletin.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for name, url in every_url(world):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name
