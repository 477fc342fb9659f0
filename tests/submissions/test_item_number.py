"""The item number ("Record adoption" asks for it) is on every item page and in every list."""

import pytest
from django.urls import reverse

from outlets.models import Delivery, Outlet
from reviews import actions
from reviews.models import Decision, ReviewStep
from submissions.models import Status

pytestmark = pytest.mark.django_db


def number_of(article):
    return f'data-testid="item-number">No. {article.pk}<'


def submitted(article):
    actions.submit_for_review(article, base_version=article.version, by=article.author)
    return ReviewStep.objects.get(article=article, decision=Decision.PENDING)


def test_the_item_page_and_my_submissions_show_the_number(client, article, people):
    client.force_login(people["officer"])
    assert number_of(article) in client.get(reverse("submissions:detail", args=[article.pk])).content.decode()
    assert number_of(article) in client.get(reverse("submissions:list")).content.decode()
    assert number_of(article) in client.get(reverse("home")).content.decode()


def test_the_queue_the_review_page_and_the_reviewers_home_show_the_number(client, article, people):
    step = submitted(article)
    client.force_login(people["leader"])
    assert number_of(article) in client.get(reverse("reviews:queue")).content.decode()
    assert number_of(article) in client.get(reverse("reviews:step", args=[step.pk])).content.decode()
    assert number_of(article) in client.get(reverse("home")).content.decode()


def test_the_deliveries_list_shows_the_number(client, article, people):
    revision = submitted(article).revision
    article.status = Status.APPROVED
    article.save()
    outlet = Outlet.objects.create(name="Daily", kind=Outlet.Kind.EMAIL, endpoint="news@example.org")
    Delivery.objects.create(article=article, revision=revision, outlet=outlet, created_by=people["director"])
    client.force_login(people["director"])
    assert number_of(article) in client.get(reverse("outlets:deliveries")).content.decode()
