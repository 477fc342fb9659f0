"""A topic's bonus points go into the ledger like any other points, so the pages show them as they are."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from reports import scoring
from reports.figures import unit_figures
from reports.models import Score, ScoreRule, ScoringPolicy
from reports.periods import Period
from tests.reports.conftest import adopt, at, signed_off_item
from topics import actions

from .conftest import make_topic


@pytest.fixture
def bonus_topic(town, outlets, policy):
    ScoreRule.objects.create(level="county", main_points=2)
    topic = make_topic(town, bonus_points=3)
    topic.deadline = date(2026, 3, 10)
    topic.save()
    return topic


def answer(town, topic, submitted):
    return signed_off_item(town["north"], submitted=submitted, topic=topic)


def test_an_adopted_answer_on_time_earns_the_bonus_once(town, outlets, bonus_topic):
    item = answer(town, bonus_topic, date(2026, 3, 10))
    adopt(item, outlets["county"], date(2026, 3, 12))
    adopt(item, outlets["city"], date(2026, 4, 2))
    scoring.score_articles([item.pk])
    bonus = Score.objects.get(kind=Score.Kind.TOPIC_BONUS)
    assert (bonus.unit, bonus.month, bonus.points) == (town["north"], date(2026, 3, 1), Decimal(3))
    march = unit_figures(Period("month", 2026, 3), units=[town["north"]])[0]
    assert march.figures.points == Decimal(5)  # the county rule's 2 and the topic's 3


def test_a_late_answer_earns_no_bonus(town, outlets, bonus_topic):
    item = answer(town, bonus_topic, date(2026, 3, 11))
    adopt(item, outlets["county"], date(2026, 3, 12))
    scoring.score_articles([item.pk])
    assert not Score.objects.filter(kind=Score.Kind.TOPIC_BONUS).exists()


def test_under_the_school_policy_the_bonus_goes_with_the_counted_adoption(town, outlets, bonus_topic, policy):
    policy.multi_outlet = ScoringPolicy.MultiOutlet.HIGHEST
    policy.save()
    ScoreRule.objects.create(level="city", main_points=4)
    item = answer(town, bonus_topic, date(2026, 3, 1))
    adopt(item, outlets["county"], date(2026, 3, 12))
    city = adopt(item, outlets["city"], date(2026, 4, 2))
    scoring.score_articles([item.pk])
    bonus = Score.objects.get(kind=Score.Kind.TOPIC_BONUS)
    assert bonus.adoption == city and bonus.month == date(2026, 4, 1)


def test_a_changed_bonus_is_scored_again_by_the_sweeper(town, outlets, bonus_topic):
    item = answer(town, bonus_topic, date(2026, 3, 1))
    adopt(item, outlets["county"], date(2026, 3, 12))
    scoring.score_pending()
    bonus_topic.bonus_points = 5
    bonus_topic.save()
    actions.bonus_changed(bonus_topic)
    scoring.score_pending()
    assert Score.objects.get(kind=Score.Kind.TOPIC_BONUS).points == Decimal(5)


def test_an_answer_to_no_topic_earns_no_bonus(town, outlets, bonus_topic):
    item = signed_off_item(town["north"], submitted=date(2026, 3, 1))
    adopt(item, outlets["county"], date(2026, 3, 12))
    scoring.score_articles([item.pk])
    assert not Score.objects.filter(kind=Score.Kind.TOPIC_BONUS).exists()
    assert at(date(2026, 3, 1)) - timedelta(days=1) < item.submitted_at


def test_the_points_page_names_the_topic_a_bonus_came_from(client, town, outlets, bonus_topic):
    item = answer(town, bonus_topic, date(2026, 3, 10))
    adopt(item, outlets["county"], date(2026, 3, 12))
    scoring.score_articles([item.pk])
    client.force_login(town["director"])
    page = client.get(reverse("reports:unit_points", args=[town["north"].pk]), {"period": "2026"})
    bonus_row = next(row for row in page.content.decode().split("<tr") if "commissioned topic" in row)
    assert "Autumn sports" in bonus_row and "No rule for this outlet" not in bonus_row
