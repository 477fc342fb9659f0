"""Who answered which topic with which items: read from the items that carry the topic. An item
answers for its unit and for each of its co-contributing units, as it counts for them in the figures;
the totals count it once. A fixed number of queries for any number of topics, units and items (five,
four without reminders)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from outlets.models import Adoption
from submissions.models import Article, Status

from .models import Topic, TopicReminder


class State:
    """How a unit stands on a topic; each state has a word, never only a colour."""

    ANSWERED = "answered"
    ANSWERED_LATE = "answered_late"
    WAITING = "waiting"  # not answered, the topic still open
    LATE = "late"  # not answered, the deadline passed
    LABELS = {
        ANSWERED: _("Answered"),
        ANSWERED_LATE: _("Answered late"),
        WAITING: _("Not answered yet"),
        LATE: _("Late"),
    }


@dataclass
class Answer:
    """One unit's answer to one topic: its submitted items (withdrawn ones left out)."""

    topic: Topic
    unit: Unit
    today: object
    items: list = field(default_factory=list)  # Articles with .is_late and .was_adopted
    reminded_at: object = None

    @property
    def answered(self):
        return bool(self.items)

    @property
    def state(self):
        if self.items:
            return State.ANSWERED_LATE if all(item.is_late for item in self.items) else State.ANSWERED
        return State.WAITING if self.topic.is_open(self.today) else State.LATE

    @property
    def state_label(self):
        return State.LABELS[self.state]

    @property
    def signed_off(self):
        return sum(item.status == Status.APPROVED for item in self.items)

    @property
    def adopted(self):
        return sum(bool(item.was_adopted) for item in self.items)


@dataclass
class TopicAnswers:
    topic: Topic
    rows: list  # [Answer], the asked units in the tree's order, then any other unit that answered

    @property
    def asked(self):
        return len(self.rows)

    @property
    def answered(self):
        return [row for row in self.rows if row.answered]

    @property
    def not_answered(self):
        return [row for row in self.rows if not row.answered]

    @property
    def late(self):
        return [row for row in self.rows if row.state == State.LATE]

    @property
    def distinct_items(self):
        return list({item.pk: item for row in self.rows for item in row.items}.values())

    @property
    def items(self):
        return len(self.distinct_items)

    @property
    def signed_off(self):
        return sum(item.status == Status.APPROVED for item in self.distinct_items)

    @property
    def adopted(self):
        return sum(bool(item.was_adopted) for item in self.distinct_items)


def answers_to(topics, *, today=None, reminders=False):
    """A TopicAnswers for each of `topics`, in their order."""
    topics = list(topics)
    if not topics:
        return []
    today = today or timezone.localdate()
    units = list(Unit.objects.active().select_related("unit_class"))
    chosen = defaultdict(set)
    through = Topic.units.through.objects.filter(topic_id__in=[t.pk for t in topics])
    for topic_id, unit_id in through.values_list("topic_id", "unit_id"):
        chosen[topic_id].add(unit_id)
    items = _items(topics)
    reminded = _last_reminders(topics) if reminders else {}
    by_id = {unit.pk: unit for unit in units}
    found = []
    for topic in topics:
        asked = [unit for unit in units if _asks(topic, unit, chosen)]
        answering = {unit_id for item in items[topic.pk] for unit_id in item.credited_unit_ids}
        others = [by_id[pk] for pk in sorted(answering - {u.pk for u in asked}) if pk in by_id]
        rows = {unit.pk: Answer(topic, unit, today) for unit in asked + others}
        for item in items[topic.pk]:
            item.is_late = topic.is_late(item.submitted_at)
            for unit_id in item.credited_unit_ids:
                if unit_id in rows:
                    rows[unit_id].items.append(item)
        for unit_id, row in rows.items():
            row.reminded_at = reminded.get((topic.pk, unit_id))
        found.append(TopicAnswers(topic, list(rows.values())))
    return found


def _asks(topic, unit, chosen):
    if topic.audience == Topic.Audience.UNITS:
        return unit.pk in chosen[topic.pk]
    if topic.audience == Topic.Audience.CLASS:
        return unit.unit_class_id == topic.unit_class_id
    return unit.unit_class_id is not None


def _items(topics):
    found = defaultdict(list)
    answers = (
        Article.objects.filter(topic__in=topics, submitted_at__isnull=False)
        .exclude(status=Status.WITHDRAWN)
        .annotate(was_adopted=Exists(Adoption.objects.filter(article=OuterRef("pk"))))
        .only("pk", "title", "status", "unit_id", "topic_id", "submitted_at", "signed_off_at")
        .order_by("submitted_at", "pk")
    )
    answers = list(answers)
    co_units = defaultdict(list)
    through = Article.co_units.through.objects.filter(article_id__in=[item.pk for item in answers])
    for article_id, unit_id in through.values_list("article_id", "unit_id"):
        co_units[article_id].append(unit_id)
    for item in answers:
        item.credited_unit_ids = [item.unit_id, *co_units[item.pk]]
        found[item.topic_id].append(item)
    return found


def _last_reminders(topics):
    found = {}
    for reminder in TopicReminder.objects.filter(topic__in=topics).order_by("sent_at", "pk"):
        found[reminder.topic_id, reminder.unit_id] = reminder.sent_at
    return found


def due_between(start, end):
    """The topics whose deadline falls in [start, end): those a period's bulletin and figures report."""
    return Topic.objects.filter(deadline__gte=start, deadline__lt=end).order_by("deadline", "pk")


@dataclass
class TopicTotals:
    """Topics of a period, counted for some units: how often they were asked and answered."""

    topics: int = 0  # topics asked of at least one of the units
    asked: int = 0  # (topic, unit) pairs asked
    answered: int = 0  # … of which answered
    items: int = 0  # items answering them
    adopted: int = 0  # … of which adopted


def totals(found, unit_ids=None):
    """TopicTotals from answers_to(...) rows, for the units `unit_ids` (None: every unit)."""
    counted = TopicTotals()
    for each in found:
        rows = [row for row in each.rows if unit_ids is None or row.unit.pk in unit_ids]
        counted.topics += bool(rows)
        counted.asked += len(rows)
        counted.answered += sum(row.answered for row in rows)
        counted.items += sum(len(row.items) for row in rows)
        counted.adopted += sum(row.adopted for row in rows)
    return counted
