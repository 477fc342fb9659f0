"""Who sees and does what with commissioned topics: the office (director, leadership) and admins see
every topic and every unit's answers; the office director posts topics and urges units; a unit's
liaison officers and leaders in charge see the topics asked of their units, and its officers answer."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Role, Unit
from accounts.permissions import access_for

from .models import Topic


def follows_every_topic(user):
    access = access_for(user)
    return access.is_admin or access.is_office_staff


def may_post_topics(user):
    """Post topics and urge units: the office director (and admins)."""
    access = access_for(user)
    return access.is_admin or access.holds(Role.OFFICE_DIRECTOR)


def own_unit_ids(user):
    """The units whose topics the user sees as one of the unit's own people."""
    return access_for(user).unit_ids(Role.LIAISON_OFFICER, Role.LEADER_IN_CHARGE)


def may_see_topics(user):
    return follows_every_topic(user) or bool(own_unit_ids(user))


def visible_topics(user):
    """Every topic for the office; the topics asked of the user's units for a unit's people."""
    if follows_every_topic(user):
        return Topic.objects.all()
    return Topic.objects.addressed_to(own_unit_ids(user))


def access_topic(user, pk):
    """The topic if the user may see it; 404 otherwise."""
    try:
        return visible_topics(user).get(pk=pk)
    except (Topic.DoesNotExist, ValueError):
        raise Http404 from None


def require_poster(user):
    if not may_post_topics(user):
        raise PermissionDenied


def answering_units(user, topic):
    """The user's units that may answer the topic: those it asks of where the user is an officer."""
    ids = access_for(user).unit_ids(Role.LIAISON_OFFICER)
    units = Unit.objects.active().filter(pk__in=ids).select_related("unit_class").order_by("order", "name")
    return [unit for unit in units if topic.asks(unit)]
