import pytest
from django.core.exceptions import PermissionDenied

from notifications import actions
from notifications.models import EmailOptOut, Notification
from tests.factories import ArticleFactory, UserFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_notify_tells_each_recipient_once_but_never_the_actor():
    article = ArticleFactory()
    reviewer, other_reviewer = UserFactory(), UserFactory()

    created = actions.notify(
        [reviewer, other_reviewer, reviewer, article.author],
        Notification.Kind.REVIEW_REQUESTED,
        article=article,
        actor=article.author,
    )

    assert {n.recipient for n in created} == {reviewer, other_reviewer}
    assert set(Notification.objects.values_list("recipient", flat=True)) == {reviewer.pk, other_reviewer.pk}


def test_notify_skips_inactive_accounts():
    gone = UserFactory(is_active=False)

    assert actions.notify([gone], Notification.Kind.OVERDUE, article=ArticleFactory()) == []
    assert not Notification.objects.exists()


def test_notify_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        actions.notify([UserFactory()], "promoted", article=ArticleFactory())


def test_describe_names_the_item_and_the_reviewer():
    notification = NotificationFactory(article__title="Sports day", actor__display_name="Li Hua")

    assert notification.describe() == "“Sports day” was returned for revision by Li Hua."


def test_describe_without_an_actor_leaves_the_name_out():
    notification = NotificationFactory(
        kind=Notification.Kind.SIGNED_OFF, article__title="Sports day", actor=None
    )

    assert notification.describe() == "“Sports day” was signed off."


def test_mark_read_keeps_the_first_time():
    notification = NotificationFactory()

    first = actions.mark_read(notification, by=notification.recipient).read_at
    actions.mark_read(Notification.objects.get(), by=notification.recipient)

    assert first is not None and Notification.objects.get().read_at == first


def test_only_the_recipient_may_mark_a_notification_read():
    notification = NotificationFactory()

    with pytest.raises(PermissionDenied):
        actions.mark_read(notification, by=UserFactory())
    assert Notification.objects.get().read_at is None


def test_mark_all_read_leaves_other_peoples_notifications_alone():
    mine = UserFactory()
    NotificationFactory.create_batch(3, recipient=mine)
    theirs = NotificationFactory()

    assert actions.mark_all_read(by=mine) == 3
    assert not Notification.objects.filter(recipient=mine).unread().exists()
    assert Notification.objects.get(pk=theirs.pk).is_unread


def test_set_email_opt_outs_replaces_the_previous_choice():
    user = UserFactory()
    actions.set_email_opt_outs(user, [Notification.Kind.OVERDUE, Notification.Kind.ESCALATED], by=user)

    actions.set_email_opt_outs(user, ["escalated", "signed_off"], by=user)

    assert set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True)) == {
        "escalated",
        "signed_off",
    }


def test_nobody_else_sets_my_email_opt_outs():
    user = UserFactory()

    with pytest.raises(PermissionDenied):
        actions.set_email_opt_outs(user, [Notification.Kind.OVERDUE], by=UserFactory())
    assert not EmailOptOut.objects.exists()


def test_the_sweeper_sends_e_mails_whose_task_was_lost(smtp_server, db):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.models import Notification
    from notifications.tasks import sweep_unsent_emails
    from tests.factories import ArticleFactory, UserFactory

    article = ArticleFactory()
    lost = Notification.objects.create(
        recipient=UserFactory(email="li@example.org"), kind=Notification.Kind.RETURNED, article=article
    )  # made without notify(): as if the broker had been down
    Notification.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=15))

    sweep_unsent_emails()

    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "li@example.org"
    lost.refresh_from_db()
    assert lost.emailed_at is not None
