"""Review queue with 100,000 items in the system: server time and queries for a leader and the director."""

import datetime
import random

from django.test import Client
from django.utils import timezone

from accounts.models import Role, RoleAssignment, Unit, User
from bench.harness import timed
from reviews.models import Decision, ReviewChain, ReviewRun, ReviewStage, ReviewStep
from submissions.models import Article, Category, Revision, Status

ITEMS = 100_000
UNITS = 100
PENDING_EVERY = 40  # one item in 40 waits for a decision: 2,500 in all


def run(report):
    office = Unit.objects.create(name="Bench office")
    units = Unit.objects.bulk_create(Unit(name=f"School {n}", parent=office) for n in range(UNITS))
    officer = User.objects.create(username="bench-officer")
    leader = User.objects.create(username="bench-leader")
    director = User.objects.create(username="bench-director")
    RoleAssignment.objects.create(user=leader, role=Role.LEADER_IN_CHARGE, unit=units[0])
    RoleAssignment.objects.create(user=director, role=Role.OFFICE_DIRECTOR, unit=office)
    chain = ReviewChain.objects.create(name="Bench chain", is_default=True)
    leader_stage = ReviewStage.objects.create(
        chain=chain, order=1, name="Leader", reviewer_role=Role.LEADER_IN_CHARGE
    )
    director_stage = ReviewStage.objects.create(
        chain=chain, order=2, name="Director", reviewer_role=Role.OFFICE_DIRECTOR
    )
    _fill(units, officer, chain, [leader_stage, director_stage])

    for who, user in (("leader of one school", leader), ("office director", director)):
        client = Client()
        client.force_login(user)
        for label, query in (("page 1", {}), ("page 40", {"page": 40})):
            ms, queries = timed(lambda client=client, query=query: client.get("/reviews/", query))
            report(f"GET /reviews/ as {who}, {label}, median", ms, "ms")
            report(f"GET /reviews/ as {who}, {label}, queries", queries, "")


def _fill(units, officer, chain, stages):
    category = Category.objects.create(name="Bench news")
    today = timezone.localdate()
    rng = random.Random(1)
    articles = Article.objects.bulk_create(
        (
            Article(
                unit=rng.choice(units), author=officer, last_editor=officer, title=f"Item {n}",
                body="<p>Body</p>", category=category, event_date=today - datetime.timedelta(days=n % 1800),
                status=Status.IN_REVIEW if n % PENDING_EVERY == 0 else Status.APPROVED,
            )
            for n in range(ITEMS)
        ),
        batch_size=5000,
    )  # fmt: skip
    revisions = Revision.objects.bulk_create(
        (
            Revision(article=a, number=1, title=a.title, body=a.body, content_hash="x", created_by=officer)
            for a in articles
        ),
        batch_size=5000,
    )
    route = [s.pk for s in stages]
    runs = ReviewRun.objects.bulk_create(
        (ReviewRun(article=a, chain=chain, route=route, state=_run_state(a)) for a in articles),
        batch_size=5000,
    )
    now = timezone.now()
    steps = []
    for n, (article, revision, run) in enumerate(zip(articles, revisions, runs, strict=True)):
        waiting = article.status == Status.IN_REVIEW
        stage = stages[n % 2] if waiting else stages[1]
        steps.append(
            ReviewStep(
                run=run, article=article, stage=stage, position=stages.index(stage), revision=revision,
                decision=Decision.PENDING if waiting else Decision.APPROVED,
                created_at=now - datetime.timedelta(minutes=n),
                due_at=now + datetime.timedelta(hours=24 - n % 48),
            )
        )  # fmt: skip
    ReviewStep.objects.bulk_create(steps, batch_size=5000)


def _run_state(article):
    return ReviewRun.State.ACTIVE if article.status == Status.IN_REVIEW else ReviewRun.State.SIGNED_OFF
