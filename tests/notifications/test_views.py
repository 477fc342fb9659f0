import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import EmailOptOut, Notification
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def me():
    return UserFactory()


@pytest.fixture
def signed_in(client, me):
    client.force_login(me)
    return client


def test_the_pages_ask_for_sign_in(client, db):
    for name in ("notifications:list", "notifications:settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_list_shows_only_my_notifications_newest_first(signed_in, me):
    NotificationFactory(recipient=me, article__title="Older item")
    newer = NotificationFactory(recipient=me, article__title="Newer item", read_at="2026-01-01T00:00Z")
    NotificationFactory(article__title="Someone else's item")

    page = signed_in.get(reverse("notifications:list")).content.decode()

    assert page.index("Newer item") < page.index("Older item")
    assert "Someone else" not in page
    assert f'href="/notifications/{newer.pk}/open/"' in page
    assert page.count(">Unread</span>") == 1


def test_list_escapes_titles_and_comments(signed_in, me):
    NotificationFactory(recipient=me, article__title="<b>Bold</b>", note="<script>x</script>")

    page = signed_in.get(reverse("notifications:list")).content.decode()

    assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "<script>x</script>" not in page


@pytest.mark.parametrize("rows", [1, 25])
def test_list_uses_a_fixed_number_of_queries_and_never_counts(signed_in, me, rows):
    NotificationFactory.create_batch(rows, recipient=me)
    signed_in.get(reverse("notifications:list"))  # warm the session and the user

    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(reverse("notifications:list"))

    assert len(response.context["notifications"]) == rows
    # session, user, roles (for the nav), the page of notifications, the unread badge
    assert len(queries) == 5, [q["sql"] for q in queries]
    assert not any("COUNT(" in q["sql"] for q in queries)


def test_list_pages_forward_without_a_total(signed_in, me):
    NotificationFactory.create_batch(27, recipient=me)

    first = signed_in.get(reverse("notifications:list"))
    second = signed_in.get(reverse("notifications:list"), {"page": 2})

    assert first.context["has_next"] and len(first.context["notifications"]) == 25
    assert not second.context["has_next"] and len(second.context["notifications"]) == 2


def test_opening_a_notification_marks_it_read_and_goes_to_its_item(signed_in, me):
    notification = NotificationFactory(recipient=me)

    response = signed_in.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("submissions:detail", args=[notification.article_id])
    assert not Notification.objects.get().is_unread


def test_opening_someone_elses_notification_is_not_found(signed_in):
    theirs = NotificationFactory()

    response = signed_in.get(reverse("notifications:open", args=[theirs.pk]))

    assert response.status_code == 404
    assert Notification.objects.get().is_unread


def test_mark_all_as_read_empties_the_badge(signed_in, me):
    NotificationFactory.create_batch(2, recipient=me)

    response = signed_in.post(reverse("notifications:mark_all_read"), follow=True)

    page = response.content.decode()
    assert "All notifications are marked as read." in page
    assert 'data-testid="unread-count"' not in page
    assert not Notification.objects.filter(recipient=me).unread().exists()


def test_the_header_badge_counts_my_unread_notifications(signed_in, me):
    NotificationFactory.create_batch(3, recipient=me)
    NotificationFactory(recipient=me, read_at="2026-01-01T00:00Z")
    NotificationFactory()

    page = signed_in.get(reverse("home")).content.decode()

    assert 'aria-label="Notifications, 3 unread"' in page
    assert 'aria-hidden="true" data-testid="unread-count">3</span>' in page


def test_the_header_badge_stops_counting_at_99(signed_in, me):
    NotificationFactory.create_batch(101, recipient=me, article=NotificationFactory(recipient=me).article)

    page = signed_in.get(reverse("home")).content.decode()

    assert 'aria-label="Notifications, more than 99 unread"' in page
    assert 'data-testid="unread-count">99+</span>' in page


def test_a_page_that_shows_no_badge_does_not_count(client, db):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("login"))

    assert not any("notifications_notification" in q["sql"] for q in queries)


def test_settings_page_saves_the_kinds_i_want_by_email(signed_in, me):
    wanted = [kind for kind in Notification.Kind.values if kind != Notification.Kind.OVERDUE]

    response = signed_in.post(reverse("notifications:settings"), {"wanted": wanted}, follow=True)

    assert "Your e-mail settings were saved." in response.content.decode()
    assert list(EmailOptOut.objects.filter(user=me).values_list("kind", flat=True)) == ["overdue"]
    unticked = f'value="overdue" id="id_wanted_{Notification.Kind.values.index("overdue")}">'
    assert unticked in response.content.decode()


def test_settings_page_with_nothing_ticked_opts_out_of_every_email(signed_in, me):
    signed_in.post(reverse("notifications:settings"), {})

    assert EmailOptOut.objects.filter(user=me).count() == len(Notification.Kind.values)


def test_settings_page_warns_when_i_have_no_address(client):
    client.force_login(UserFactory(email=""))

    page = client.get(reverse("notifications:settings")).content.decode()

    assert 'data-testid="no-email"' in page
