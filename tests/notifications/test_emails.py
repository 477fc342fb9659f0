import smtplib

import pytest
from django.db import transaction

from notifications import actions
from notifications.models import Notification
from notifications.tasks import send_notification_email
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory(
        title="Sports day & prize-giving", author=UserFactory(email="officer@school.example")
    )


@pytest.fixture
def reviewer():
    return UserFactory(display_name="Li Hua")


def return_for_revision(article, reviewer, note="Please add the date.\nAnd a photo caption."):
    return actions.notify(
        [article.author], Notification.Kind.RETURNED, article=article, actor=reviewer, note=note
    )


def subject_of(message):
    # Django folds a long encoded subject onto the next line; unfolding leaves a leading space.
    return message["Subject"].strip()


def text_of(message):
    return message.get_body(("plain",)).get_content()


def test_the_email_reaches_the_author_with_the_link_and_the_quoted_comment(
    smtp_server, django_capture_on_commit_callbacks, article, reviewer, settings
):
    settings.SITE_URL = "https://desk.example.org/"
    with django_capture_on_commit_callbacks(execute=True):
        return_for_revision(article, reviewer)

    [message] = smtp_server.wait_for(1)
    assert smtp_server.envelopes[0].rcpt_tos == ["officer@school.example"]
    assert message["To"] == "officer@school.example"
    assert subject_of(message) == "“Sports day & prize-giving” was returned for revision by Li Hua."
    body = text_of(message)
    assert f"https://desk.example.org/submissions/{article.pk}/" in body
    assert "> Please add the date.\n> And a photo caption." in body
    assert "Sports day & prize-giving" in body  # plain text: not HTML-escaped
    assert "&lt;" not in message.get_body(("html",)).get_content()
    assert Notification.objects.get().emailed_at is not None


def test_the_email_is_in_the_recipients_language(
    smtp_server, django_capture_on_commit_callbacks, article, reviewer
):
    english = UserFactory(language="en")
    article.author.language = "zh-hans"
    article.author.save()

    with django_capture_on_commit_callbacks(execute=True):
        actions.notify(
            [article.author, english], Notification.Kind.SIGNED_OFF, article=article, actor=reviewer
        )

    by_address = {m["To"]: m for m in smtp_server.wait_for(2)}
    chinese = by_address["officer@school.example"]
    assert subject_of(chinese) == "“Sports day & prize-giving”已由Li Hua签发。"
    assert "信息报送平台" in text_of(chinese)
    assert subject_of(by_address[english.email]) == "“Sports day & prize-giving” was signed off by Li Hua."


def test_an_opted_out_kind_is_shown_in_the_app_but_not_emailed(
    smtp_server, django_capture_on_commit_callbacks, article, reviewer
):
    actions.set_email_opt_outs(article.author, [Notification.Kind.RETURNED], by=article.author)

    with django_capture_on_commit_callbacks(execute=True):
        return_for_revision(article, reviewer)

    assert Notification.objects.filter(recipient=article.author).count() == 1
    assert smtp_server.messages == []


def test_a_user_without_an_address_gets_no_email(smtp_server, django_capture_on_commit_callbacks, article):
    nobody = UserFactory(email="")

    with django_capture_on_commit_callbacks(execute=True):
        actions.notify([nobody], Notification.Kind.REVIEW_REQUESTED, article=article, actor=article.author)

    assert Notification.objects.filter(recipient=nobody).exists()
    assert smtp_server.messages == []


def test_running_the_task_twice_sends_one_email(
    smtp_server, django_capture_on_commit_callbacks, article, reviewer
):
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = return_for_revision(article, reviewer)

    send_notification_email.delay(notification.pk)
    send_notification_email.delay(notification.pk)

    assert len(smtp_server.wait_for(1)) == 1
    assert len(smtp_server.messages) == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(
    smtp_server, django_capture_on_commit_callbacks, article, reviewer
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        return_for_revision(article, reviewer)
        raise RuntimeError("the decision failed")

    assert not Notification.objects.exists()
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_the_email_leaves_only_after_the_commit(smtp_server, article, reviewer):
    with transaction.atomic():
        return_for_revision(article, reviewer)
        assert smtp_server.messages == []

    assert smtp_server.wait_for(1)[0]["To"] == "officer@school.example"


def test_a_notice_to_many_goes_out_ten_e_mails_a_connection(
    smtp_server, django_capture_on_commit_callbacks, article, reviewer
):
    people = [UserFactory(email=f"unit{n}@schools.example") for n in range(12)]
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify(people, Notification.Kind.BULLETIN, actor=reviewer, note="October's bulletin")

    assert len(smtp_server.wait_for(12)) == 12
    assert sorted(smtp_server.sessions.count(peer) for peer in set(smtp_server.sessions)) == [2, 10]
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_recipient_turned_away_for_now_does_not_hold_up_the_others(smtp_server, article, reviewer):
    people = [UserFactory(email=f"unit{n}@schools.example") for n in range(3)]
    smtp_server.later.add("unit0@schools.example")
    notifications = actions.notify(people, Notification.Kind.BULLETIN, actor=reviewer, note="Bulletin")

    with pytest.raises(smtplib.SMTPRecipientsRefused):  # raised once the others are sent: tried again
        send_notification_email(*[n.pk for n in notifications])

    sent = sorted(m["To"] for m in smtp_server.wait_for(2))
    assert sent == ["unit1@schools.example", "unit2@schools.example"]
    unsent = Notification.objects.filter(emailed_at__isnull=True).values_list("recipient__email", flat=True)
    assert list(unsent) == ["unit0@schools.example"]

    smtp_server.later.clear()
    send_notification_email(*[n.pk for n in notifications])  # the retry sends the one left, only
    assert sorted(m["To"] for m in smtp_server.wait_for(3))[0] == "unit0@schools.example"
    assert len(smtp_server.messages) == 3
