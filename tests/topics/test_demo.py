from django.core.management import call_command
from django.utils import timezone

from topics.answers import answers_to
from topics.models import Topic


def test_the_demo_has_an_open_and_a_closed_topic_and_stays_as_it_is(demo):
    today = timezone.localdate()
    topics = list(Topic.objects.order_by("deadline"))
    assert [topic.is_open(today) for topic in topics] == [False, True]
    closed, opened = answers_to(topics, today=today)
    assert len(closed.answered) == 1 and closed.not_answered  # one unit answered, others are late
    assert opened.asked >= 3 and not opened.answered

    call_command("seed_demo", verbosity=0)
    assert Topic.objects.count() == 2 and len(answers_to([closed.topic])[0].answered) == 1
