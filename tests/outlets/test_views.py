import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outlets.models import Delivery
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
    assert len(queries) == 8, [q["sql"] for q in queries]


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
