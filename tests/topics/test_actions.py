from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from submissions.actions import ActionRefused
from submissions.models import Status
from tests.factories import ArticleFactory
from topics import actions
from topics.answers import State, answers_to
from topics.models import Topic, TopicReminder

from .conftest import make_topic


def test_posting_a_topic_to_a_class_tells_that_class_only(town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        topic = actions.post_topic(
            title="Autumn sports",
            brief="Items on the sports meetings.",
            audience=Topic.Audience.CLASS,
            unit_class=town["primary"],
            deadline=timezone.localdate() + timedelta(days=5),
            by=town["director"],
        )
    told = set(Notification.objects.filter(kind="topic_posted").values_list("recipient", flat=True))
    assert told == {town["north_officer"].pk, town["north_leader"].pk, town["south_officer"].pk}
    assert {m.to[0] for m in mail.outbox} == {
        town["north_officer"].email,
        town["north_leader"].email,
        town["south_officer"].email,
    }
    assert [row.unit for row in answers_to([topic])[0].rows] == [town["north"], town["south"]]


def test_a_deadline_in_the_past_is_refused(town):
    with pytest.raises(ActionRefused):
        actions.post_topic(
            title="Too late",
            brief="x",
            audience=Topic.Audience.ALL,
            deadline=timezone.localdate() - timedelta(days=1),
            by=town["director"],
        )
    assert not Topic.objects.exists()


def test_chosen_units_and_all_units_are_asked_as_chosen(town):
    chosen = make_topic(town, audience=Topic.Audience.UNITS, units=[town["middle"]])
    everyone = make_topic(town, audience=Topic.Audience.ALL)
    rows = {found.topic.pk: [row.unit for row in found.rows] for found in answers_to([chosen, everyone])}
    assert rows[chosen.pk] == [town["middle"]]
    assert rows[everyone.pk] == [town["north"], town["south"], town["middle"]]


def test_an_officer_starts_a_draft_that_carries_the_topic(town, topic):
    article = actions.start_answer(topic, unit=town["north"], by=town["north_officer"])
    assert article.topic == topic and article.status == Status.DRAFT and article.unit == town["north"]
    # a second click opens the same draft
    assert actions.start_answer(topic, unit=town["north"], by=town["north_officer"]) == article


def test_a_unit_the_topic_does_not_ask_cannot_answer_it(town, topic):
    with pytest.raises(ActionRefused):
        actions.start_answer(topic, unit=town["middle"], by=town["middle_officer"])


def answered(unit, topic, *, on, status=Status.IN_REVIEW):
    submitted = timezone.make_aware(timezone.datetime.combine(on, timezone.datetime.min.time())) + timedelta(
        hours=10
    )
    return ArticleFactory(unit=unit, topic=topic, status=status, submitted_at=submitted)


def test_units_that_answered_on_time_late_or_not_at_all(town):
    today = timezone.localdate()
    topic = make_topic(town, days=-2)  # closed two days ago
    on_time = answered(town["north"], topic, on=today - timedelta(days=3), status=Status.APPROVED)
    answered(town["south"], topic, on=today, status=Status.WITHDRAWN)  # withdrawn answers do not count
    found = answers_to([topic])[0]
    states = {row.unit.name: row.state for row in found.rows}
    assert states == {"North Primary": State.ANSWERED, "South Primary": State.LATE}
    assert found.signed_off == 1 and found.items == 1 and [r.unit for r in found.late] == [town["south"]]
    late = answered(town["south"], topic, on=today)
    states = {row.unit.name: row.state for row in answers_to([topic])[0].rows}
    assert states == {"North Primary": State.ANSWERED, "South Primary": State.ANSWERED_LATE}
    assert topic.is_late(late.submitted_at) and not topic.is_late(on_time.submitted_at)


def test_before_the_deadline_nobody_is_late(town, topic):
    assert {row.state for row in answers_to([topic])[0].rows} == {State.WAITING}


def test_urging_tells_the_unit_once_and_not_a_unit_that_answered(town, django_capture_on_commit_callbacks):
    topic = make_topic(town, days=-1)
    answered(town["north"], topic, on=timezone.localdate() - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        reminder = actions.urge(topic, town["south"], by=town["director"])
        again = actions.urge(topic, town["south"], by=town["director"])
    assert again == reminder and reminder.recipients == 1
    assert TopicReminder.objects.count() == 1
    urged = Notification.objects.get(kind="topic_urged")
    assert urged.recipient == town["south_officer"] and "Autumn sports" in urged.note
    assert [m.to for m in mail.outbox] == [[town["south_officer"].email]]
    with pytest.raises(ActionRefused):
        actions.urge(topic, town["north"], by=town["director"])


def test_urge_late_urges_every_unit_without_an_answer(town):
    topic = make_topic(town, days=-1)
    answered(town["north"], topic, on=timezone.localdate() - timedelta(days=3))
    reminders = actions.urge_late(topic, by=town["director"])
    assert [r.unit for r in reminders] == [town["south"]]


def test_only_the_units_officers_answer_for_it(town, topic):
    for person in (town["north_leader"], town["south_officer"], town["director"]):
        with pytest.raises(ActionRefused):
            actions.start_answer(topic, unit=town["north"], by=person)
