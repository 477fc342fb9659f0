"""A backlog goes out in tasks of up to ten deliveries of one outlet (outlets.actions.kick_all)."""

import pytest
from celery.signals import task_prerun
from django.db import transaction

from outlets import actions, tasks
from outlets.models import Delivery
from outlets.tasks import deliver, sweep
from submissions.models import Revision
from tests.factories import ArticleFactory
from tests.outlets.conftest import webhook_outlet

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks_run():
    """The deliveries each outlets.deliver task was given, in the order the tasks ran."""
    runs = []

    def ran(sender=None, args=None, **_):
        runs.append(list(args))

    task_prerun.connect(ran, sender=deliver, weak=False)
    yield runs
    task_prerun.disconnect(ran, sender=deliver)


@pytest.fixture
def second(receiver, db):
    return webhook_outlet(receiver, "County portal")


def items(school, people, n):
    revisions = []
    for _ in range(n):
        article = ArticleFactory(unit=school)
        revision = Revision(article=article, number=1, title=article.title, body=article.body)
        revision.created_by = people["officer"]
        revision.save()
        revisions.append(revision)
    return revisions


def unkicked(school, people, outlet, n):
    """Deliveries queued while the broker was down: rows without their tasks."""
    return [
        Delivery.objects.create(article=r.article, revision=r, outlet=outlet, created_by=people["director"])
        for r in items(school, people, n)
    ]


def queue(revisions, outlet, people):
    return [
        actions.queue_deliveries(r.article, [outlet], revision=r, by=people["director"])[0] for r in revisions
    ]


def test_deliveries_queued_in_one_transaction_go_out_ten_of_an_outlet_a_task(
    school, people, webhook, second, receiver, tasks_run, django_capture_on_commit_callbacks
):
    many, few = items(school, people, 23), items(school, people, 3)
    with django_capture_on_commit_callbacks(execute=True) as hooks, transaction.atomic():
        to_webhook = queue(many, webhook, people)
        to_second = queue(few, second, people)

    assert len(hooks) == 1
    ids = [d.pk for d in to_webhook]
    # The outlets' batches in turn, so that the second outlet's do not wait behind the first's backlog.
    assert tasks_run == [ids[:10], [d.pk for d in to_second], ids[10:20], ids[20:]]
    assert not Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists()
    assert len(receiver.wait_for(26)) == 26


def test_a_rolled_back_transaction_kicks_nothing_and_the_next_one_kicks_its_own(
    school, people, webhook, receiver, tasks_run, django_capture_on_commit_callbacks
):
    first, then = items(school, people, 1), items(school, people, 1)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            queue(first, webhook, people)
            raise ZeroDivisionError
        with transaction.atomic():
            [delivery] = queue(then, webhook, people)

    assert tasks_run == [[delivery.pk]]
    assert Delivery.objects.get().state == Delivery.State.DELIVERED


def test_the_sweeper_kicks_a_backlog_in_batches(school, people, webhook, receiver, tasks_run):
    backlog = unkicked(school, people, webhook, 12)

    assert sweep() == 12

    assert sorted(map(len, tasks_run)) == [2, 10]
    assert sorted(pk for run in tasks_run for pk in run) == sorted(d.pk for d in backlog)
    assert not Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists()


def test_a_batch_hands_on_what_it_has_not_started_after_its_time(
    school, people, webhook, receiver, tasks_run, monkeypatch
):
    monkeypatch.setattr(tasks, "BATCH_SECONDS", 0)
    ids = [d.pk for d in unkicked(school, people, webhook, 3)]

    deliver.delay(*ids)

    assert tasks_run == [ids, ids[1:], ids[2:]]  # each sends one, then kicks the rest
    assert not Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists()


def test_an_error_of_ours_in_one_delivery_does_not_stop_the_others(
    school, people, webhook, receiver, monkeypatch
):
    ids = [d.pk for d in unkicked(school, people, webhook, 3)]
    run_delivery = actions.run_delivery

    def broken_for_the_first(delivery_id):
        if delivery_id == ids[0]:
            raise KeyError("a bug")
        return run_delivery(delivery_id)

    monkeypatch.setattr(actions, "run_delivery", broken_for_the_first)

    with pytest.raises(KeyError):
        deliver(*ids)  # raised once the others are done

    states = dict(Delivery.objects.values_list("pk", "state"))
    assert states == {ids[0]: Delivery.State.QUEUED, ids[1]: "delivered", ids[2]: "delivered"}
