"""代审: a reviewer who is away names a deputy, who decides their steps on their behalf."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from reviews import actions
from reviews.models import Decision, Delegation, ReviewStep
from submissions.models import Event
from tests.factories import (
    ArticleFactory,
    RoleAssignmentFactory,
    UnitFactory,
    UserFactory,
    leader_of,
    officer_of,
)

TODAY = timezone.localdate


@pytest.fixture
def deputy(office):
    """The leader in charge of another school, who stands in for the absent leader."""
    return leader_of(UnitFactory(name="Other School", parent=office))


@pytest.fixture
def away(people, deputy):
    """The leader of Test School is away this week and named the deputy."""
    return actions.name_deputy(
        deputy=deputy,
        starts_on=TODAY() - timedelta(days=1),
        ends_on=TODAY() + timedelta(days=5),
        by=people["leader"],
    )


def submitted(article):
    article.refresh_from_db()
    actions.submit_for_review(article, base_version=article.version, by=article.author)
    return ReviewStep.objects.select_related("stage", "article").get(
        article=article, decision=Decision.PENDING
    )


def latest(article):
    return article.revisions.order_by("-number").values_list("pk", flat=True).first()


def test_the_deputy_sees_the_step_marked_on_behalf_and_approves_it(client, article, people, deputy, away):
    step = submitted(article)
    client.force_login(deputy)
    queue = client.get(reverse("reviews:queue")).content.decode()
    assert article.title in queue and f"On behalf of {people['leader']}" in queue
    page = client.get(reverse("reviews:step", args=[step.pk])).content.decode()
    assert f"You decide this on behalf of {people['leader']}" in page

    response = client.post(
        reverse("reviews:decide", args=[step.pk]), {"decision": "approve", "revision": latest(article)}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.decision, step.reviewer, step.on_behalf_of) == (Decision.APPROVED, deputy, people["leader"])
    event = Event.objects.filter(article=article, kind=Event.Kind.APPROVED).get()
    assert event.actor == deputy and event.note == f"On behalf of {people['leader']} — Leader in charge"


def test_without_a_delegation_in_force_the_deputy_may_not_decide(article, people, deputy):
    actions.name_deputy(
        deputy=deputy,
        starts_on=TODAY() + timedelta(days=1),
        ends_on=TODAY() + timedelta(days=3),
        by=people["leader"],
    )
    step = submitted(article)
    with pytest.raises(actions.ActionRefused):
        actions.approve(step, by=deputy, revision_id=latest(article))


def test_an_ended_delegation_no_longer_lets_the_deputy_decide(client, article, people, deputy, away):
    step = submitted(article)
    client.force_login(people["leader"])
    client.post(reverse("reviews:end_delegation", args=[away.pk]))
    client.force_login(deputy)
    assert client.get(reverse("reviews:step", args=[step.pk])).status_code == 404
    assert article.title not in client.get(reverse("reviews:queue")).content.decode()


def test_the_deputy_cannot_decide_their_own_item(school, people, deputy, away, chain):
    officer_of(school, user=deputy)
    own = ArticleFactory(unit=school, author=deputy, last_editor=deputy)
    step = submitted(own)
    with pytest.raises(actions.ActionRefused):
        actions.approve(step, by=deputy, revision_id=latest(own))


def test_the_deputy_cannot_decide_an_item_the_absent_reviewer_wrote(school, people, deputy, away, chain):
    officer_of(school, user=people["leader"])
    RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=school)  # someone else may review it
    item = ArticleFactory(unit=school, author=people["leader"], last_editor=people["leader"])
    step = submitted(item)
    with pytest.raises(actions.ActionRefused):
        actions.approve(step, by=deputy, revision_id=latest(item))


def test_the_deputy_is_told_when_a_step_of_the_absent_reviewer_starts_waiting(client, article, deputy, away):
    from notifications.models import Notification

    step = submitted(article)
    told = Notification.objects.get(recipient=deputy, article=article, kind="review_requested")
    # The deputy may not open the item's page (not their unit): the notice leads to the step they decide.
    assert told.link == reverse("reviews:step", args=[step.pk])
    client.force_login(deputy)
    opened = client.get(reverse("notifications:open", args=[told.pk]), follow=True)
    assert opened.status_code == 200 and opened.context["step"] == step


def test_overlapping_days_and_oneself_are_refused(people, deputy, away):
    with pytest.raises(actions.ActionRefused, match="is your deputy on some of these days already"):
        actions.name_deputy(deputy=UserFactory(), starts_on=TODAY(), ends_on=TODAY(), by=people["leader"])
    with pytest.raises(actions.ActionRefused):
        actions.name_deputy(
            deputy=people["director"], starts_on=TODAY(), ends_on=TODAY(), by=people["director"]
        )
    assert Delegation.objects.count() == 1


def test_a_reviewer_names_a_deputy_on_the_page(client, people, deputy):
    client.force_login(people["leader"])
    response = client.post(
        reverse("reviews:delegations"),
        {"deputy": deputy.pk, "starts_on": TODAY().isoformat(), "ends_on": TODAY().isoformat()},
    )
    assert response.status_code == 302
    assert Delegation.objects.get().deputy == deputy


@pytest.mark.parametrize("who", ["officer"])
def test_who_has_no_review_queue_cannot_name_a_deputy(client, people, who):
    client.force_login(people[who])
    assert client.get(reverse("reviews:delegations")).status_code == 404
    assert client.post(reverse("reviews:delegations"), {}).status_code == 404


def test_only_the_two_people_in_a_delegation_can_end_it(client, people, away):
    client.force_login(people["director"])
    assert client.post(reverse("reviews:end_delegation", args=[away.pk])).status_code == 404
    away.refresh_from_db()
    assert away.ended_at is None


@pytest.mark.parametrize("who", ["leader", "director", "leadership"])
def test_every_reviewer_reaches_the_deputies_page(client, people, who):
    client.force_login(people[who])
    assert client.get(reverse("reviews:delegations")).status_code == 200


@pytest.mark.parametrize("rows", [1, 25])
def test_the_deputy_s_queue_takes_a_fixed_number_of_queries(
    client, chain, school, people, deputy, away, rows
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(rows):
        submitted(ArticleFactory(unit=school, author=people["officer"], last_editor=people["officer"]))
    client.force_login(deputy)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reviews:queue"))
    assert [step.on_behalf for step in response.context["steps"]] == [people["leader"]] * rows
    # 7 (each person's roles and the unit tree one query), the items' units, and the queue filters'
    # units and categories
    assert len(queries) == 10, [q["sql"] for q in queries]


def test_the_deputies_pages_ask_for_sign_in(client, people, away):
    for url in (reverse("reviews:delegations"), reverse("reviews:end_delegation", args=[away.pk])):
        assert client.post(url)["Location"].startswith(reverse("login"))


def test_a_deputy_who_reviews_nothing_else_finds_the_queue_in_the_header(client, people, office):
    stand_in = officer_of(UnitFactory(name="Third School", parent=office))
    link = f'href="{reverse("reviews:queue")}"'
    client.force_login(stand_in)
    assert link not in client.get(reverse("submissions:list")).content.decode()

    delegation = actions.name_deputy(
        deputy=stand_in, starts_on=TODAY(), ends_on=TODAY() + timedelta(days=2), by=people["leader"]
    )
    assert link in client.get(reverse("submissions:list")).content.decode()

    actions.end_delegation(delegation, by=people["leader"])
    assert link not in client.get(reverse("submissions:list")).content.decode()
