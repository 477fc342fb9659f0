from django import template
from django.utils import timezone

from ..answers import answers_to
from ..permissions import follows_every_topic, own_unit_ids, visible_topics

register = template.Library()

HOME_TOPICS = 5


@register.filter
def days_left(topic):
    return topic.days_left(timezone.localdate())


@register.inclusion_tag("topics/includes/home_topics.html", takes_context=True)
def open_topics(context):
    """The home page's open topics: for a unit's people, those asked of their units and how each unit
    stands; for the office, every open topic with how many units answered. One query while no topic
    is open, four when one is."""
    user = context["request"].user
    office = follows_every_topic(user)
    own = frozenset() if office else own_unit_ids(user)
    if not office and not own:
        return {"shown": False}
    today = timezone.localdate()
    topics = visible_topics(user).open_on(today).order_by("deadline", "pk")[: HOME_TOPICS + 1]
    found = answers_to(topics, today=today)
    rows = [(each, [row for row in each.rows if row.unit.pk in own]) for each in found[:HOME_TOPICS]]
    return {"shown": True, "office": office, "rows": rows, "more": len(found) > HOME_TOPICS}


@register.filter
def answered_late(article):
    """Submitted after the topic's deadline (an item not submitted yet is not late)."""
    return article.topic_id is not None and article.topic.is_late(article.submitted_at)
