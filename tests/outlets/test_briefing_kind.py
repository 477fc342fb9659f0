"""A briefing outlet only counts what the office uses in its briefing: nothing is ever sent to it."""

import pytest

from outlets.actions import default_outlets
from outlets.models import Outlet
from reviews.forms import DecisionForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def briefing_outlet(db):
    return Outlet.objects.create(name="Office briefing", kind=Outlet.Kind.BRIEFING, preselected=True)


def test_a_briefing_outlet_is_never_preselected_at_sign_off(article, briefing_outlet):
    assert briefing_outlet not in default_outlets(article)


def test_a_briefing_outlet_cannot_be_chosen_at_sign_off(article, briefing_outlet):
    form = DecisionForm(signs_off=True, article=article)
    assert briefing_outlet not in form.fields["outlets"].queryset


def test_testing_a_briefing_outlets_connection_says_nothing_is_sent(briefing_outlet):
    from outlets.actions import test_connection as check

    ok, message = check(briefing_outlet)
    assert ok and "Nothing is sent" in message
