"""Two runs of the same assessment work at the same moment, on two real database connections."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, transaction

from accounts.models import Role
from notifications.models import Notification
from outlets.models import Adoption
from reports import actions, scoring
from reports.models import Quota, Reminder, Score, ScoreRule, ScoringPolicy
from submissions.actions import ActionRefused
from tests.factories import RoleAssignmentFactory, UnitClassFactory, UnitFactory, UserFactory

from .conftest import adopt, signed_off_item

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


def overlap(run, then=None):
    """Run `run` and then `then` (`run` again unless given) on two connections, the second while the
    first's transaction is still open.

    The first run's transaction commits only once the second has finished or waits for a lock, so
    the two overlap whatever the timing. Returns the errors either run raised."""
    then = then or run
    errors, first_ran, release, second_done = [], threading.Event(), threading.Event(), threading.Event()
    second_pid = []

    def first():
        try:
            with transaction.atomic():
                run()
                first_ran.set()
                release.wait(timeout=30)
        except Exception as error:
            errors.append(error)
        finally:
            first_ran.set()
            connection.close()

    def second():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            then()
        except Exception as error:
            errors.append(error)
        finally:
            second_done.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    first_ran.wait(timeout=30)
    threads[1].start()
    for _n in range(300):  # bounded: at most about 30 s
        if second_done.is_set() or (second_pid and _waits_for_a_lock(second_pid[0])):
            break
        time.sleep(0.1)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def _waits_for_a_lock(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def test_two_overlapping_rebuilds_of_an_item_count_its_points_once(outlets):
    ScoringPolicy.current()  # as in production: it exists before any run
    ScoreRule.objects.create(level="city", main_points=4, co_points=2)
    ScoreRule.objects.create(level="county", main_points=2, co_points=1)
    co_unit = UnitFactory()
    item = signed_off_item(UnitFactory(), submitted=date(2026, 3, 2))
    item.co_units.add(co_unit)
    adopt(item, outlets["city"], date(2026, 3, 5), instruction_level="city")
    adopt(item, outlets["county"], date(2026, 3, 6))

    assert overlap(lambda: scoring.score_articles([item.pk])) == []

    lines = sorted((line.unit_id, line.kind, line.points) for line in Score.objects.all())
    assert lines == sorted(
        [
            (item.unit_id, Score.Kind.ADOPTION, 4),
            (co_unit.pk, Score.Kind.CO_ADOPTION, 2),
            (item.unit_id, Score.Kind.INSTRUCTION, 0),
            (item.unit_id, Score.Kind.ADOPTION, 2),
            (co_unit.pk, Score.Kind.CO_ADOPTION, 1),
        ]
    )


def test_two_overlapping_rebuilds_of_a_month_deduct_once(office):
    policy = ScoringPolicy.current()
    policy.missed_submitted_deduction = 1
    policy.save()
    unit_class = UnitClassFactory()
    Quota.objects.create(unit_class=unit_class, min_submitted=1)
    behind = UnitFactory(parent=office, unit_class=unit_class)

    month = date(2026, 3, 1)
    assert overlap(lambda: scoring.score_month_minimums(month, today=date(2026, 4, 2))) == []

    assert [(line.unit_id, line.points) for line in Score.objects.all()] == [(behind.pk, -1)]


def test_two_overlapping_month_end_jobs_urge_a_unit_once(office):
    unit_class = UnitClassFactory()
    Quota.objects.create(unit_class=unit_class, min_submitted=1)
    behind = UnitFactory(parent=office, unit_class=unit_class)
    officer = RoleAssignmentFactory(role=Role.LIAISON_OFFICER, unit=behind).user
    last_day = date(2026, 3, 31)

    assert overlap(lambda: actions.remind_units_behind(today=last_day, days_before_end=3)) == []

    assert Reminder.objects.filter(unit=behind).count() == 1
    assert Notification.objects.filter(recipient=officer, kind=Notification.Kind.URGED).count() == 1


def test_an_adoption_recorded_while_its_year_is_being_closed_is_refused(outlets, office):
    ScoreRule.objects.create(level="city", main_points=4)
    director = UserFactory()
    item = signed_off_item(UnitFactory(), submitted=date(2025, 11, 2))
    refused = []

    def close():
        actions.close_year(2025, by=director, reason="Figures sent", today=date(2026, 1, 15))

    def record():
        try:
            actions.record_adoption(item, outlets["city"], adopted_on=date(2025, 11, 5), by=director)
        except ActionRefused as refusal:
            refused.append(str(refusal))

    assert overlap(close, then=record) == []

    assert refused == ["2025 is closed: its adoptions cannot change until the office reopens it."]
    assert not Adoption.objects.exists()
