"""Who is told what: the author and their unit's leader hear of an adoption, and every
notification leads to the thing it is about."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from notifications.models import Notification
from outlets import actions as outlet_actions
from outlets.models import Delivery, Outlet
from reviews import actions as review_actions
from reviews.models import Decision, ReviewStep
from submissions.models import Status
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def daily(db):
    return Outlet.objects.create(name="City Daily", kind=Outlet.Kind.ATOM)


@pytest.fixture
def signed_off(article, people, daily):
    step = submitted(article)
    review_actions.approve(step, by=people["leader"], revision_id=step.revision_id)
    step = ReviewStep.objects.get(article=article, decision=Decision.PENDING)
    review_actions.approve(step, by=people["director"], revision_id=step.revision_id, outlets=[daily])
    article.refresh_from_db()
    assert article.status == Status.APPROVED
    return article


def submitted(article):
    review_actions.submit_for_review(article, base_version=article.version, by=article.author)
    return ReviewStep.objects.get(article=article, decision=Decision.PENDING)


def opened(client, user, kind):
    """Where following the user's newest notification of `kind` leads."""
    notification = Notification.objects.filter(recipient=user, kind=kind).latest("id")
    client.force_login(user)
    return client.get(reverse("notifications:open", args=[notification.pk]))["Location"]


def test_the_author_and_the_units_leader_hear_of_an_adoption_in_the_app_and_by_email(
    client, signed_off, people, daily, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outlet_actions.record_office_adoption(
            signed_off, daily, adopted_on=timezone.localdate(), by=people["director"],
            url="https://daily.example.org/2026/11/sports-day",
        )  # fmt: skip

    told = Notification.objects.filter(kind=Notification.Kind.ADOPTED)
    assert {n.recipient for n in told} == {people["officer"], people["leader"]}
    notification = told.get(recipient=people["officer"])
    assert notification.describe() == f"“{signed_off}” was adopted by City Daily."
    assert "https://daily.example.org/2026/11/sports-day" in notification.note
    assert opened(client, people["officer"], Notification.Kind.ADOPTED) == reverse(
        "submissions:detail", args=[signed_off.pk]
    )
    mails = smtp_server.wait_for(2)
    assert {m["To"] for m in mails} == {people["officer"].email, people["leader"].email}
    body = mails[0].get_body(("plain",)).get_content()
    assert "City Daily" in body and "https://daily.example.org/2026/11/sports-day" in body
    assert f"/submissions/{signed_off.pk}/" in body


def test_an_adoption_the_outlet_reports_is_told_too(signed_off, people):
    delivery = Delivery.objects.get(article=signed_off)
    outlet_actions.record_adoption(delivery, url="https://daily.example.org/p/1")
    recipients = Notification.objects.filter(kind=Notification.Kind.ADOPTED).values_list(
        "recipient", flat=True
    )
    assert set(recipients) == {people["officer"].pk, people["leader"].pk}


def test_the_home_page_shows_the_item_adopted(client, signed_off, people, daily):
    client.force_login(people["officer"])
    assert 'data-testid="adopted"' not in client.get(reverse("home")).content.decode()
    outlet_actions.record_office_adoption(
        signed_off, daily, adopted_on=timezone.localdate(), by=people["director"]
    )
    assert 'data-testid="adopted"' in client.get(reverse("home")).content.decode()


def test_a_review_request_leads_to_the_decision_page(client, article, people):
    step = submitted(article)
    assert opened(client, people["leader"], Notification.Kind.REVIEW_REQUESTED) == reverse(
        "reviews:step", args=[step.pk]
    )


def test_an_overdue_or_escalated_review_leads_to_the_step(client, article, people):
    step = submitted(article)
    ReviewStep.objects.filter(pk=step.pk).update(due_at=timezone.now() - timedelta(days=3))
    review_actions.remind_overdue_steps()
    review_actions.remind_overdue_steps()
    target = reverse("reviews:step", args=[step.pk])
    assert opened(client, people["leader"], Notification.Kind.OVERDUE) == target
    assert opened(client, people["director"], Notification.Kind.ESCALATED) == target


def test_a_failed_delivery_leads_to_the_delivery(client, signed_off, people):
    delivery = Delivery.objects.get(article=signed_off)
    outlet_actions._tell_office(delivery, "the outlet said no")
    assert opened(client, people["director"], Notification.Kind.DELIVERY_FAILED) == reverse(
        "outlets:delivery", args=[delivery.pk]
    )


def test_a_paused_outlet_leads_to_its_deliveries(client, people, daily):
    outlet_actions.pause_outlet(daily, reason="401 Unauthorized")
    target = opened(client, people["director"], Notification.Kind.OUTLET_PAUSED)
    assert target == f"{reverse('outlets:deliveries')}?outlet={daily.pk}"
    assert client.get(target).status_code == 200


def test_every_kind_leads_somewhere_other_than_the_list(client, signed_off, people, daily, office):
    """Each kind made by the app's actions opens a page of its own, never the notification list."""
    RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office)
    outlet_actions.pause_outlet(daily, reason="gone")
    outlet_actions.record_office_adoption(
        signed_off, daily, adopted_on=timezone.localdate(), by=people["director"]
    )
    for notification in Notification.objects.select_related("recipient"):
        client.force_login(notification.recipient)
        target = client.get(reverse("notifications:open", args=[notification.pk]))["Location"]
        assert target != reverse("notifications:list"), notification.kind
        assert client.get(target).status_code == 200, (notification.kind, target)


def test_an_item_nobody_can_review_leads_to_the_units_roles_not_to_a_draft_nobody_else_sees(
    client, article, people, school
):
    from accounts.models import RoleAssignment
    from tests.factories import UserFactory

    RoleAssignment.objects.filter(user=people["leader"]).delete()
    admin = UserFactory(is_staff=True, is_superuser=True)
    RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=school.parent, user=admin)
    with pytest.raises(review_actions.NobodyToReview):
        review_actions.submit_for_review(article, base_version=article.version, by=article.author)

    target = opened(client, people["director"], Notification.Kind.REVIEWER_MISSING)
    assert client.get(reverse("submissions:detail", args=[article.pk])).status_code == 404  # a draft
    assert target == f"{reverse('admin:accounts_roleassignment_changelist')}?unit__id__exact={school.pk}"
    client.force_login(admin)
    assert client.get(target).status_code == 200
