import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import RoleAssignment, Unit, User
from outlets.models import Adoption, Outlet
from reports.models import AnnualTarget, Quota, Score, ScoreRule
from reports.periods import add_months, aware_bounds, month_start
from reviews.models import ReviewStep
from submissions.models import Article, Event, Revision, Status
from tests import demo_snapshot

pytestmark = pytest.mark.django_db

COUNTED = [
    Unit,
    User,
    RoleAssignment,
    Outlet,
    Article,
    Revision,
    Event,
    ReviewStep,
    Adoption,
    Score,
    ScoreRule,
    Quota,
    AnnualTarget,
]


@pytest.fixture
def history(db):
    """The items of the year's history (the review demo's items have photos; these have none)."""
    demo_snapshot.seed()
    return Article.objects.filter(photos__isnull=True, submitted_at__isnull=False)


def test_seeding_again_changes_nothing(history):
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    points = list(Score.objects.order_by("pk").values_list("pk", "points"))

    call_command("seed_demo", verbosity=0)

    assert {model.__name__: model.objects.count() for model in COUNTED} == counts
    assert list(Score.objects.order_by("pk").values_list("pk", "points")) == points


def test_the_history_covers_each_of_the_last_twelve_months(history):
    this_month = month_start(timezone.localdate())
    for months_ago in range(1, 13):
        start, end = aware_bounds(add_months(this_month, -months_ago), add_months(this_month, 1 - months_ago))
        assert history.filter(submitted_at__gte=start, submitted_at__lt=end).exists(), months_ago
    assert history.filter(status=Status.APPROVED).count() >= 200
    others = {Status.IN_REVIEW, Status.REJECTED, Status.RETURNED, Status.WITHDRAWN}
    assert others <= set(history.values_list("status", flat=True))


def test_adoptions_earn_points_and_a_missed_minimum_costs_one(history):
    adopted = Article.objects.annotate(outlets=Count("adoptions")).filter(outlets__gt=0)
    assert adopted.filter(outlets=2).exists()
    assert Adoption.objects.exclude(instruction_level="").exists()
    assert Score.objects.filter(kind=Score.Kind.ADOPTION, points__gt=0).count() == Adoption.objects.count()
    assert Score.objects.filter(kind=Score.Kind.CO_ADOPTION).exists()
    missed = Score.objects.filter(kind=Score.Kind.MISSED_SUBMITTED)
    assert missed.exists() and set(missed.values_list("points", flat=True)) == {-1}


def test_a_history_item_shows_its_timeline_and_approval_sheet_to_the_director(client, history):
    article = history.filter(status=Status.APPROVED, adoptions__isnull=False).first()
    client.force_login(User.objects.get(username="director"))

    page = client.get(reverse("submissions:detail", args=[article.pk]))
    sheet = client.get(reverse("reviews:approval_sheet", args=[article.pk]))

    assert page.status_code == 200 and article.title in page.content.decode()
    assert sheet.status_code == 200
    leader = article.review_steps.get(position=0).reviewer
    assert leader.display_name in sheet.content.decode()
    submitted = article.events.get(kind=Event.Kind.SUBMITTED)
    assert submitted.at == article.submitted_at  # the timeline keeps the history's own times
