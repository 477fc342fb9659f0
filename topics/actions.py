"""Every change to commissioned topics: posting one, answering it, urging units that have not."""

import uuid
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.permissions import access_for
from notifications.actions import notify
from notifications.models import Notification
from outlets.models import Adoption
from submissions.actions import ActionRefused, create_draft
from submissions.models import Article, Status

from .answers import answers_to
from .models import Topic, TopicReminder

URGE_REPEAT = timedelta(minutes=10)  # a second click within this sends nothing more


def _people_of(units):
    return User.objects.filter(
        is_active=True,
        role_assignments__unit__in=units,
        role_assignments__role__in=[Role.LIAISON_OFFICER, Role.LEADER_IN_CHARGE],
    ).distinct()


def _note(topic):
    deadline = date_format(topic.deadline, "DATE_FORMAT")
    return _("“%(title)s”, answers by %(deadline)s.") % {"title": topic.title, "deadline": deadline}


@transaction.atomic
def post_topic(*, title, brief, audience, deadline, by, unit_class=None, units=(), bonus_points=0):
    """Post a topic and tell the liaison officers and leaders in charge of the units it asks (in the
    app and by e-mail, after commit)."""
    if deadline < timezone.localdate():
        raise ActionRefused(_("The deadline has passed already. Choose today or a later day."))
    topic = Topic.objects.create(
        title=title,
        brief=brief,
        audience=audience,
        unit_class=unit_class if audience == Topic.Audience.CLASS else None,
        deadline=deadline,
        bonus_points=bonus_points or 0,
        posted_by=by,
    )
    if audience == Topic.Audience.UNITS:
        topic.units.set(units)
    link = reverse("topics:detail", args=[topic.pk])
    notify(
        list(_people_of(topic.asked_units())),
        Notification.Kind.TOPIC_POSTED,
        actor=by,
        note=partial(_note, topic),  # in each recipient's language
        link=link,
    )
    return topic


def start_answer(topic, *, unit, by):
    """A draft for `unit` that answers `topic`, by one of the unit's liaison officers. Their draft for
    the topic that is still a draft is given back instead of a second one (a double click)."""
    if not access_for(by).may_write_for(unit.pk):
        raise ActionRefused(_("Only the unit's liaison officers answer topics for it."))
    if not topic.asks(unit):
        raise ActionRefused(_("This topic is not asked of %(unit)s.") % {"unit": unit})
    existing = Article.objects.filter(topic=topic, unit=unit, author=by, status=Status.DRAFT).first()
    if existing is not None:
        return existing
    return create_draft(unit=unit, client_key=uuid.uuid4(), by=by, topic=topic)


@transaction.atomic
def urge(topic, unit, *, by):
    """Remind a unit that has not answered the topic (催稿): its liaison officers and leaders in charge,
    in the app and by e-mail. A second click straight after the first sends nothing more."""
    Topic.objects.select_for_update().get(pk=topic.pk)
    recent = TopicReminder.objects.filter(topic=topic, unit=unit, sent_at__gte=timezone.now() - URGE_REPEAT)
    if existing := recent.first():
        return existing
    answer = next((r for r in answers_to([topic])[0].rows if r.unit.pk == unit.pk), None)
    if answer is None or answer.answered:
        raise ActionRefused(_("%(unit)s has answered this topic or is not asked it.") % {"unit": unit})
    reminder = TopicReminder.objects.create(topic=topic, unit=unit, by=by)
    link = reverse("topics:detail", args=[topic.pk])
    note = partial(_note, topic)  # in each recipient's language
    sent = notify(list(_people_of([unit])), Notification.Kind.TOPIC_URGED, actor=by, note=note, link=link)
    reminder.recipients = len(sent)
    reminder.save(update_fields=["recipients"])
    return reminder


def urge_late(topic, *, by):
    """Urge every unit that has not answered the topic. Returns the reminders."""
    rows = answers_to([topic])[0].not_answered
    return [urge(topic, row.unit, by=by) for row in rows]


def bonus_changed(topic):
    """The topic's bonus changed: its answers' adoptions are scored again by the next scoring run."""
    return Adoption.objects.filter(article__topic=topic).update(needs_scoring=True)
