"""Two reviewers deciding the same step at the same moment, on two real database connections."""

import threading

import pytest
from django.db import connection

from accounts.models import Role
from reviews import actions
from reviews.models import Decision, ReviewStep
from submissions.models import Event
from tests.factories import RoleAssignmentFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks across connections: PostgreSQL (CI)"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_exactly_one_of_two_simultaneous_decisions_is_recorded(article, school, people):
    second_leader = RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=school).user
    actions.submit_for_review(article, base_version=article.version, by=people["officer"])
    step = ReviewStep.objects.get(article=article, decision=Decision.PENDING)
    revision = article.revisions.get().pk
    start = threading.Barrier(2)
    outcomes = {}

    def decide(name, user, action, **extra):
        try:
            start.wait()
            action(step, by=user, revision_id=revision, **extra)
            outcomes[name] = "decided"
        except actions.AlreadyDecided as refused:
            outcomes[name] = refused.message
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=decide, args=("approve", people["leader"], actions.approve)),
        threading.Thread(
            target=decide,
            args=("return", second_leader, actions.return_for_revision),
            kwargs={"comment": "Needs a photo"},
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()).count("decided") == 1, outcomes
    loser = next(message for message in outcomes.values() if message != "decided")
    assert loser.startswith("Already decided by")
    step.refresh_from_db()
    assert step.decision in (Decision.APPROVED, Decision.RETURNED)
    decided_events = Event.objects.filter(article=article, kind__in=["approved", "returned"]).count()
    assert decided_events == 1
