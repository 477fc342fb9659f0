"""Two people recording the same adoption at the same moment, on two real database connections."""

import threading
from datetime import date

import pytest
from django.db import connection

from outlets.models import Adoption
from reports import actions
from reports.models import Score, ScoreRule
from submissions.actions import ActionRefused
from tests.factories import UnitFactory, UserFactory

from .conftest import signed_off_item

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks across connections: PostgreSQL (CI)"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_simultaneous_entries_make_one_adoption_and_one_set_of_points(outlets):
    ScoreRule.objects.create(level="city", main_points=4, co_points=2)
    item = signed_off_item(UnitFactory(), submitted=date(2026, 3, 2))
    people = [UserFactory(), UserFactory()]
    start = threading.Barrier(2)
    outcomes = []

    def record(user, day):
        try:
            start.wait()
            actions.record_adoption(item, outlets["city"], adopted_on=day, by=user, issue="No. 12")
            outcomes.append("recorded")
        except ActionRefused as refused:
            outcomes.append(str(refused))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record, args=(people[0], date(2026, 3, 5))),
        threading.Thread(target=record, args=(people[1], date(2026, 3, 6))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes)[1] == "recorded", outcomes
    assert "was already recorded" in sorted(outcomes)[0]
    assert Adoption.objects.count() == 1
    assert [line.points for line in Score.objects.all()] == [4]
