"""The review desk: the queue's filters and order, the last stage's "Sign off and send", signing
off several items at once, and the way back from an item by role."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from outlets.models import Delivery, Outlet
from reviews import actions
from reviews.models import Decision, ReviewStep
from submissions.models import Event, Status
from tests.factories import ArticleFactory, CategoryFactory, RoleAssignmentFactory, UnitFactory, officer_of

pytestmark = pytest.mark.django_db

QUEUE = reverse("reviews:queue")
BATCH = reverse("reviews:batch_sign_off")


@pytest.fixture
def outlets(db):
    make = Outlet.objects.create
    return {
        "portal": make(name="District portal", kind=Outlet.Kind.ATOM, preselected=True),
        "daily": make(name="City Daily", kind=Outlet.Kind.ATOM),
    }


def item(school, people, **fields):
    officer = people["officer"]
    return ArticleFactory(unit=school, author=officer, last_editor=officer, **fields)


def at_director(article, people):
    """Submitted, and approved by the leader: it waits for the director's sign-off."""
    actions.submit_for_review(article, base_version=article.version, by=article.author)
    step = ReviewStep.objects.get(article=article, decision=Decision.PENDING)
    actions.approve(step, by=people["leader"], revision_id=step.revision_id)
    return ReviewStep.objects.get(article=article, decision=Decision.PENDING)


def queued_titles(client, **query):
    response = client.get(QUEUE, query)
    assert response.status_code == 200
    return [str(step.article) for step in response.context["steps"]]


# --- The queue ---------------------------------------------------------------------------------


def test_the_queue_filters_by_unit_category_importance_date_and_search(client, chain, office, school, people):
    other = UnitFactory(name="Other School", parent=office)
    RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=other, user=people["leader"])
    sport = CategoryFactory(name="Sport")
    for article in (
        item(school, people, title="Sports day", category=sport),
        item(school, people, title="Visit of the mayor", important=True, body="<p>A choir sang.</p>"),
        ArticleFactory(unit=other, title="Other school's news"),
    ):
        actions.submit_for_review(article, base_version=article.version, by=article.author)
    client.force_login(people["leader"])

    assert queued_titles(client, unit=other.pk) == ["Other school's news"]
    assert queued_titles(client, category=sport.pk) == ["Sports day"]
    assert queued_titles(client, important="yes") == ["Visit of the mayor"]
    assert queued_titles(client, q="choir") == ["Visit of the mayor"]
    today = timezone.localdate()
    assert len(queued_titles(client, date_from=today.isoformat(), date_to=today.isoformat())) == 3
    assert queued_titles(client, date_to=(today - timedelta(days=1)).isoformat()) == []
    assert "No items match these filters." in client.get(QUEUE, {"q": "nothing like it"}).content.decode()


def test_the_queue_shows_overdue_items_first(client, chain, school, people):
    first = item(school, people, title="Waiting longest, not late")
    late = item(school, people, title="Late")
    for article in (first, late):
        actions.submit_for_review(article, base_version=article.version, by=article.author)
    ReviewStep.objects.filter(article=late).update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(people["leader"])

    assert queued_titles(client) == ["Late", "Waiting longest, not late"]


@pytest.mark.parametrize("rows", [1, 25])
def test_the_directors_queue_uses_a_fixed_number_of_queries(client, chain, school, people, outlets, rows):
    for _ in range(rows):
        at_director(item(school, people), people)
    client.force_login(people["director"])
    client.get(QUEUE)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE, {"important": "no"})

    assert len(response.context["steps"]) == rows
    assert all(step.signs_off for step in response.context["steps"])
    # and one for the delegations in force, one for the items' units
    assert len(queries) == 10, [q["sql"] for q in queries]
    assert not any("COUNT(" in q["sql"] for q in queries)


# --- Signing off one item ------------------------------------------------------------------------


def test_the_last_stage_button_says_sign_off_and_send_beside_the_outlets(
    client, chain, school, people, outlets
):
    article = item(school, people)
    actions.submit_for_review(article, base_version=article.version, by=article.author)
    leader_step = ReviewStep.objects.get(article=article, decision=Decision.PENDING)
    client.force_login(people["leader"])
    page = client.get(reverse("reviews:step", args=[leader_step.pk])).content.decode()
    assert "Sign off and send" not in page and ">Approve</button>" in page

    actions.approve(leader_step, by=people["leader"], revision_id=leader_step.revision_id)
    step = ReviewStep.objects.get(article=article, decision=Decision.PENDING)
    client.force_login(people["director"])
    page = client.get(reverse("reviews:step", args=[step.pk])).content.decode()
    assert "Sign off and send" in page and ">Approve</button>" not in page
    assert 'aria-describedby="sign-off-outlets"' in page and "District portal" in page


def test_after_signing_off_the_director_stays_on_the_item_and_sees_its_deliveries(
    client, chain, school, people, outlets
):
    step = at_director(item(school, people), people)
    client.force_login(people["director"])

    response = client.post(
        reverse("reviews:decide", args=[step.pk]),
        {"decision": "approve", "revision": step.revision_id, "outlets": [outlets["daily"].pk]},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("submissions:detail", args=[step.article_id])
    page = response.content.decode()
    assert "1 item signed off and sent to: City Daily." in page
    assert reverse("outlets:article_deliveries", args=[step.article_id]) in page
    fragment = client.get(reverse("outlets:article_deliveries", args=[step.article_id])).content.decode()
    assert "City Daily" in fragment and "District portal" not in fragment


# --- Signing off several ---------------------------------------------------------------------


def test_the_office_signs_off_several_items_at_once_each_its_own_decision(
    client, chain, school, people, outlets
):
    steps = [at_director(item(school, people, title=f"Item {n}"), people) for n in range(3)]
    client.force_login(people["director"])
    page = client.get(QUEUE).content.decode()
    assert page.count('data-testid="tick"') == 3

    response = client.post(
        BATCH,
        {
            "steps": [s.pk for s in steps],
            **{f"revision-{s.pk}": s.revision_id for s in steps},
            "outlets": [outlets["portal"].pk, outlets["daily"].pk],
        },
        follow=True,
    )

    assert "3 items signed off and sent to: City Daily, District portal." in response.content.decode()
    for step in steps:
        step.refresh_from_db()
        assert step.decision == Decision.APPROVED and step.reviewer == people["director"]
        assert step.article.status == Status.APPROVED
        assert step.article.events.filter(kind=Event.Kind.SIGNED_OFF, revision=step.revision).count() == 1
        assert set(Delivery.objects.filter(article=step.article).values_list("outlet__name", flat=True)) == {
            "City Daily",
            "District portal",
        }


def test_batch_sign_off_refuses_an_item_the_director_wrote_and_signs_off_the_others(
    client, chain, office, school, people, outlets
):
    director = people["director"]
    RoleAssignmentFactory(role=Role.LIAISON_OFFICER, unit=school, user=director)
    other_director = RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user
    own = ArticleFactory(unit=school, author=director, last_editor=director, title="Written by the director")
    own_step = at_director(own, people)
    others = [at_director(item(school, people, title=f"Item {n}"), people) for n in range(2)]
    client.force_login(director)

    everything = [own_step, *others]
    response = client.post(
        BATCH,
        {"steps": [s.pk for s in everything], **{f"revision-{s.pk}": s.revision_id for s in everything}},
        follow=True,
    )

    page = response.content.decode()
    assert f"Not signed off: No. {own.pk} “Written by the director”: You wrote this item" in page
    assert "2 items signed off, without deliveries." in page
    own_step.refresh_from_db()
    assert own_step.is_pending and own.status != Status.APPROVED
    for step in others:
        step.refresh_from_db()
        assert step.decision == Decision.APPROVED
    assert other_director  # who may still sign the director's own item off


def test_batch_sign_off_refuses_an_item_that_changed_or_is_not_at_its_last_stage(
    client, chain, school, people, outlets
):
    changed = at_director(item(school, people, title="Changed"), people)
    first_stage = item(school, people, title="At the leader")
    actions.submit_for_review(first_stage, base_version=first_stage.version, by=first_stage.author)
    leader_step = ReviewStep.objects.get(article=first_stage, decision=Decision.PENDING)
    RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=school, user=people["director"])
    client.force_login(people["director"])

    response = client.post(
        BATCH,
        {
            "steps": [changed.pk, leader_step.pk],
            f"revision-{changed.pk}": changed.revision_id - 1,
            f"revision-{leader_step.pk}": leader_step.revision_id,
        },
        follow=True,
    )

    page = response.content.decode()
    assert "The item changed while you were reviewing it." in page
    assert "It is not at its last stage" in page
    assert (
        ReviewStep.objects.filter(pk__in=[changed.pk, leader_step.pk], decision=Decision.PENDING).count() == 2
    )


def test_batch_sign_off_is_for_reviewers_only(client, chain, school, people, outlets):
    step = at_director(item(school, people), people)
    client.force_login(people["officer"])
    assert (
        client.post(BATCH, {"steps": [step.pk], f"revision-{step.pk}": step.revision_id}).status_code == 404
    )
    client.force_login(officer_of(UnitFactory()))
    assert client.post(BATCH, {"steps": [step.pk]}).status_code == 404
    client.logout()
    assert client.post(BATCH, {"steps": [step.pk]}).status_code == 302
    client.force_login(people["director"])
    assert client.get(BATCH).status_code == 405
    response = client.post(BATCH, {}, follow=True)
    assert "Tick the items to sign off." in response.content.decode()
    step.refresh_from_db()
    assert step.is_pending


def test_a_leader_cannot_sign_off_a_directors_step_in_a_batch(client, chain, school, people, outlets):
    step = at_director(item(school, people), people)
    client.force_login(people["leader"])
    response = client.post(BATCH, {"steps": [step.pk], f"revision-{step.pk}": step.revision_id}, follow=True)
    assert "You may not decide this review step." in response.content.decode()
    step.refresh_from_db()
    assert step.is_pending


# --- The way back --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("officer", "submissions:list"),
        ("director", "reports:items"),
        ("leadership", "reports:items"),
        ("leader", "reviews:queue"),
    ],
)
def test_the_item_pages_way_back_depends_on_the_role(client, chain, school, people, who, target):
    article = item(school, people)
    actions.submit_for_review(article, base_version=article.version, by=article.author)
    client.force_login(people[who])

    page = client.get(reverse("submissions:detail", args=[article.pk])).content.decode()

    back = page.split('data-testid="way-back">', 1)[1].split("</li>", 1)[0]
    assert f'href="{reverse(target)}"' in back
    assert client.get(reverse(target)).status_code == 200


def test_the_directors_home_shows_overdue_items_first_and_leads_to_the_ledger(client, chain, school, people):
    on_time = at_director(item(school, people, title="On time"), people)
    late = at_director(item(school, people, title="Late"), people)
    ReviewStep.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(people["director"])

    response = client.get(reverse("home"))

    assert [s.pk for s in response.context["waiting"]] == [late.pk, on_time.pk]
    assert f'href="{reverse("reports:items")}" data-testid="home-ledger"' in response.content.decode()
    client.force_login(people["leader"])
    assert 'data-testid="home-ledger"' not in client.get(reverse("home")).content.decode()


def test_a_leader_filters_only_by_their_own_units(client, chain, office, school, people):
    other = UnitFactory(name="Other School", parent=office)
    RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=other)
    theirs = ArticleFactory(unit=other, title="Not the leader's")
    actions.submit_for_review(theirs, base_version=theirs.version, by=theirs.author)
    client.force_login(people["leader"])

    response = client.get(QUEUE, {"unit": other.pk})

    assert list(response.context["form"].fields["unit"].queryset) == [school]
    assert "Select a valid choice" in response.content.decode()
    assert "Not the leader's" not in response.content.decode()
