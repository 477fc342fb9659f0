"""Every review URL of an item's step, walked as people who may not see the item."""

import pytest
from django.urls import reverse

from accounts.models import Role
from reviews import actions
from reviews import urls as review_urls
from reviews.models import ReviewStep
from tests.factories import RoleAssignmentFactory, UnitFactory, UserFactory, officer_of

pytestmark = pytest.mark.django_db


def step_urls(step):
    return [
        reverse(f"reviews:{p.name}", args=[step.pk])
        for p in review_urls.urlpatterns
        if str(p.pattern).startswith("steps/")
    ]


@pytest.fixture
def step(article):
    actions.submit_for_review(article, base_version=article.version, by=article.author)
    return ReviewStep.objects.get(article=article)


@pytest.mark.parametrize("who", ["officer of another unit", "leader of another unit", "user without a role"])
def test_outsiders_get_404_on_every_step_url(client, office, step, who):
    other = UnitFactory(parent=office)
    user = {
        "officer of another unit": lambda: officer_of(other),
        "leader of another unit": lambda: RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=other).user,
        "user without a role": lambda: UserFactory(),
    }[who]()
    client.force_login(user)
    urls = step_urls(step)
    assert len(urls) == 3
    for url in urls:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"decision": "approve", "revision": step.revision_id}).status_code == 404, url
    step.refresh_from_db()
    assert step.is_pending


def test_the_author_sees_the_step_but_cannot_decide_it(client, step, people):
    client.force_login(people["officer"])
    page = client.get(reverse("reviews:step", args=[step.pk]))
    assert page.status_code == 200 and not page.context["may_decide"]
    client.post(
        reverse("reviews:decide", args=[step.pk]), {"decision": "approve", "revision": step.revision_id}
    )
    step.refresh_from_db()
    assert step.is_pending
