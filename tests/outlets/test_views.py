from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outlets.models import Delivery, Outlet
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [1, 25])
def test_deliveries_page_uses_a_fixed_number_of_queries(client, article, people, webhook, receiver, rows):
    revision = article.revisions.create(
        number=1, title="t", body="b", content_hash="x", created_by=article.author
    )
    for _ in range(rows):
        other = ArticleFactory(unit=article.unit)
        Delivery.objects.create(
            article=other, revision=revision, outlet=webhook, created_by=people["director"]
        )
    client.force_login(people["director"])
    client.get(reverse("outlets:deliveries"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("outlets:deliveries"))

    assert len(response.context["deliveries"]) == rows
    assert len(queries) == 7, [q["sql"] for q in queries]


def test_only_the_office_sees_deliveries(client, people, db):
    for user in (people["officer"], people["leader"], UserFactory()):
        client.force_login(user)
        assert client.get(reverse("outlets:deliveries")).status_code == 404


def test_the_item_page_shows_each_outlets_state(client, article, people, webhook, receiver, sign_off):
    sign_off(article)
    client.force_login(people["officer"])
    fragment = client.get(reverse("outlets:article_deliveries", args=[article.pk])).content.decode()
    assert "District portal" in fragment and "Delivered" in fragment
    assert "hx-trigger" not in fragment  # nothing on its way: no more polling


def test_retry_and_cancel_from_the_delivery_page(
    client, article, people, webhook, receiver, sign_off, django_capture_on_commit_callbacks
):
    receiver.answers.append((400, {}, 0))
    sign_off(article)
    delivery = Delivery.objects.get(article=article)
    client.force_login(people["director"])
    page = client.get(reverse("outlets:delivery", args=[delivery.pk])).content.decode()
    assert "HTTP 400" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outlets:delivery_action", args=[delivery.pk, "retry"]))
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED  # the broker runs tasks eagerly in tests

    response = client.post(reverse("outlets:delivery_action", args=[delivery.pk, "cancel"]), follow=True)
    assert "cannot be cancelled now" in response.content.decode()


@pytest.fixture
def revision(article):
    return article.revisions.create(
        number=1, title="t", body="b", content_hash="x", created_by=article.author
    )


def _delivery(article, revision, outlet, by, **fields):
    delivery = Delivery.objects.create(article=article, revision=revision, outlet=outlet, created_by=by)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    return delivery


def test_each_outlet_shows_its_last_success_its_failures_in_24_hours_and_what_waits(
    client, article, revision, people, webhook
):
    quiet = Outlet.objects.create(
        name="Quiet outlet", kind=Outlet.Kind.WEBHOOK, endpoint="http://127.0.0.1:9/"
    )
    now, by = timezone.now(), people["director"]
    done = Delivery.State.DELIVERED
    delivered = [
        _delivery(article, revision, webhook, by, state=done, delivered_at=now - timedelta(hours=hours))
        for hours in (30, 2, 50)
    ]
    for state in (Delivery.State.QUEUED, Delivery.State.RETRYING, Delivery.State.FAILED):
        _delivery(article, revision, webhook, by, state=state)
    for hours, outcome in [(1, "failed"), (2, "retry"), (3, "interrupted"), (1, "delivered"), (1, "found"),
                           (1, ""), (25, "failed")]:  # fmt: skip
        delivered[0].attempts_log.create(number=1, started_at=now - timedelta(hours=hours), outcome=outcome)
    client.force_login(by)

    outlets = {o.name: o for o in client.get(reverse("outlets:deliveries")).context["outlets"]}

    assert outlets[webhook.name].last_success == Delivery.objects.get(pk=delivered[1].pk).delivered_at
    assert (outlets[webhook.name].failures_24h, outlets[webhook.name].waiting) == (3, 2)
    quiet = outlets[quiet.name]
    assert (quiet.last_success, quiet.failures_24h, quiet.waiting) == (None, 0, 0)


def test_the_day_filters_take_whole_local_days(client, article, revision, people, webhook, settings):
    by = people["director"]
    local = timezone.get_current_timezone()
    times = {"before": (9, 23, 59), "first": (10, 0, 0), "last": (12, 23, 59), "after": (13, 0, 0)}
    made = {
        name: _delivery(article, revision, webhook, by, created_at=datetime(2026, 3, d, h, m, tzinfo=local))
        for name, (d, h, m) in times.items()
    }
    client.force_login(by)

    response = client.get(reverse("outlets:deliveries"), {"since": "2026-03-10", "until": "2026-03-12"})

    assert [d.pk for d in response.context["deliveries"]] == [made["last"].pk, made["first"].pk]


def test_the_deliveries_page_pages_by_cursor(client, article, revision, people, webhook):
    by = people["director"]
    made = [_delivery(article, revision, webhook, by) for _ in range(27)]
    client.force_login(by)

    first = client.get(reverse("outlets:deliveries"), {"outlet": webhook.pk})
    second = client.get(f"{reverse('outlets:deliveries')}?{first.context['next_query']}")

    assert "cursor=" in first.context["next_query"] and "outlet=" in first.context["next_query"]
    shown = [d.pk for d in first.context["deliveries"]] + [d.pk for d in second.context["deliveries"]]
    assert shown == sorted((d.pk for d in made), reverse=True)
    assert second.context["page"] == 2 and not second.context["has_next"]


def test_the_deliveries_list_shows_what_changed_since_its_rows_were_drawn(
    client, article, revision, people, webhook
):
    """The rows are kept in the cache under a key made of what they show (publicity.drawn): a list
    drawn again after any one change shows it, never the rows drawn before it."""
    delivery = _delivery(article, revision, webhook, people["director"], state=Delivery.State.QUEUED)
    deliveries, outlets = Delivery.objects.filter(pk=delivery.pk), Outlet.objects.filter(pk=webhook.pk)
    changes = [
        (lambda: outlets.update(is_active=False), "Waiting: outlet paused"),
        (lambda: deliveries.update(state=Delivery.State.DELIVERED), "delivery-delivered"),
        (lambda: deliveries.update(adoption=Delivery.Adoption.ADOPTED), 'data-testid="adopted"'),
        (lambda: deliveries.update(attempts=3), "3 attempts"),
        (
            lambda: revision.__class__.objects.filter(pk=revision.pk).update(title="A new title"),
            "A new title",
        ),
        (lambda: outlets.update(name="City portal"), "City portal · "),
        (
            lambda: article.unit.__class__.objects.filter(pk=article.unit_id).update(name="Renamed"),
            " · Renamed · ",
        ),
    ]
    client.force_login(people["director"])
    client.get(reverse("outlets:deliveries"))

    for change, shown in changes:
        change()
        assert shown in client.get(reverse("outlets:deliveries")).content.decode(), shown
