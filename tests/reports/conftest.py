from datetime import datetime, time

import pytest
from django.utils import timezone

from outlets.models import Adoption, Outlet
from reports.models import ScoringPolicy
from submissions.models import Status
from tests.factories import ArticleFactory, CategoryFactory


def at(day, hour=10):
    """An aware datetime on `day` in the project's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def signed_off_item(unit, *, submitted, signed_off=None, author=None, category=None, **kwargs):
    """An item of `unit` submitted on a day and signed off on the same day unless told otherwise."""
    extra = {"author": author, "last_editor": author} if author else {}
    return ArticleFactory(
        unit=unit,
        status=kwargs.pop("status", Status.APPROVED),
        submitted_at=at(submitted),
        signed_off_at=at(signed_off or submitted, 15),
        category=category or CategoryFactory(name="News"),
        **extra,
        **kwargs,
    )


def adopt(article, outlet, day, **details):
    return Adoption.objects.create(
        article=article,
        outlet=outlet,
        level=outlet.level,
        adopted_on=day,
        source=Adoption.Source.OFFICE,
        **details,
    )


@pytest.fixture
def outlets(db):
    make = Outlet.objects.create
    return {
        "county": make(name="County portal", kind=Outlet.Kind.ATOM, level=Outlet.Level.COUNTY),
        "city": make(name="City paper", kind=Outlet.Kind.ATOM, level=Outlet.Level.CITY),
        "daily": make(name="Shawan Daily", kind=Outlet.Kind.ATOM, level=Outlet.Level.CITY),
        "national": make(name="National news", kind=Outlet.Kind.ATOM, level=Outlet.Level.NATIONAL),
    }


@pytest.fixture
def policy(db):
    return ScoringPolicy.current()
