from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.factories import RoleAssignmentFactory, UnitClassFactory, UnitFactory, leader_of, officer_of
from tests.reports.conftest import outlets, policy  # noqa: F401 (fixtures shared with reports)
from topics.models import Topic


@pytest.fixture
def town(office):
    """Two primary schools (one class), a middle school (another class), their people and the office's."""
    primary, middle = UnitClassFactory(name="Primary schools"), UnitClassFactory(name="Middle schools")
    units = {
        "north": UnitFactory(name="North Primary", parent=office, unit_class=primary, order=1),
        "south": UnitFactory(name="South Primary", parent=office, unit_class=primary, order=2),
        "middle": UnitFactory(name="No. 1 Middle", parent=office, unit_class=middle, order=3),
    }
    return {
        "office": office,
        "primary": primary,
        "middle_class": middle,
        **units,
        "north_officer": officer_of(units["north"]),
        "north_leader": leader_of(units["north"]),
        "south_officer": officer_of(units["south"]),
        "middle_officer": officer_of(units["middle"]),
        "director": RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user,
        "leadership": RoleAssignmentFactory(role=Role.LEADERSHIP, unit=office).user,
    }


def make_topic(town, *, days=7, audience=Topic.Audience.CLASS, unit_class=None, units=(), **kwargs):
    topic = Topic.objects.create(
        title=kwargs.pop("title", "Autumn sports"),
        brief="Items on the autumn sports meetings.",
        audience=audience,
        unit_class=(unit_class or town["primary"]) if audience == Topic.Audience.CLASS else None,
        deadline=timezone.localdate() + timedelta(days=days),
        posted_by=town["director"],
        **kwargs,
    )
    topic.units.set(units)
    return topic


@pytest.fixture
def topic(town):
    """Asked of the primary schools, open for a week."""
    return make_topic(town)
