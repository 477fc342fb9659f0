"""Assessment pages and scoring over 100 units and five years of items (~100,000).

Scores every adoption and every finished month, then times the dashboard, rankings and year-end pages
for the office director: median server time and queries."""

import datetime
import random
import time

from django.test import Client
from django.utils import timezone

from accounts.models import Role, RoleAssignment, Unit, UnitClass, User
from bench.harness import timed
from outlets.models import Adoption, Delivery, Outlet
from reports import actions, demo, scoring, tallies
from reports.periods import Period
from submissions.models import Article, Category, Revision, Status

UNITS = {"Class 1": 80, "Class 2": 20}
YEARS = 5
ITEMS = 100_000
SIGNED_OFF = 0.9
ADOPTED = 0.4  # of all items
TWO_OUTLETS = 0.2  # of the adopted items
CO_UNITS = 0.05
BATCH = 5000


def run(report):
    demo.seed_scoring()  # rules per outlet level, instruction bonuses, minimums per class, deductions
    units, officers, director = _office()
    outlets = [
        Outlet.objects.create(name=f"Bench {level}", kind=Outlet.Kind.ATOM, level=level)
        for level in Outlet.Level.values
    ]
    _fill(random.Random(1), units, officers, outlets, director)

    start = time.perf_counter()
    scored = scoring.score_pending(limit=ITEMS)
    report("score_pending: items with adoptions scored", scored, "")
    report("score_pending: time for all of them", time.perf_counter() - start, "s")
    start = time.perf_counter()
    lines = actions.score_all_minimums()
    report("score_all_minimums: deduction lines", lines, "")
    report("score_all_minimums: time", time.perf_counter() - start, "s")
    start = time.perf_counter()
    report("tallies.rebuild: figures counted from the bulk-made items", tallies.rebuild(), "")
    report("tallies.rebuild: time", time.perf_counter() - start, "s")

    client = Client()
    client.force_login(director)
    for label, url, query in _pages(timezone.localdate()):
        status = client.get(url, query).status_code
        if status != 200:
            report(f"GET {url} {label}: HTTP status (not timed)", status, "")
            continue
        ms, queries = timed(lambda url=url, query=query: client.get(url, query))
        report(f"GET {url} {label}, median", ms, "ms")
        report(f"GET {url} {label}, queries", queries, "")


def _pages(today):
    month, quarter, year = (Period.containing(kind, today) for kind in ("month", "quarter", "year"))
    rankings = "/reports/rankings/"
    return [
        ("this month", "/reports/", {"period": str(month)}),
        ("this year", "/reports/", {"period": str(year)}),
        ("units by points", rankings, {"period": str(year), "measure": "points", "of": "units"}),
        ("officers by points", rankings, {"period": str(year), "measure": "points", "of": "officers"}),
        ("units by rate, quarter", rankings, {"period": str(quarter), "measure": "rate", "of": "units"}),
        ("last year", "/reports/year-end/", {"year": today.year - 1}),
    ]


def _office():
    office = Unit.objects.create(name="Bench office")
    classes = [UnitClass.objects.get(name_en=name) for name, count in UNITS.items() for _ in range(count)]
    units = Unit.objects.bulk_create(
        Unit(name=f"School {n}", parent=office, unit_class=unit_class, order=n)
        for n, unit_class in enumerate(classes)
    )
    officers = User.objects.bulk_create(User(username=f"bench-officer-{n}") for n in range(len(units)))
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=officer, role=Role.LIAISON_OFFICER, unit=unit)
        for officer, unit in zip(officers, units, strict=True)
    )
    director = User.objects.create(username="bench-director")
    RoleAssignment.objects.create(user=director, role=Role.OFFICE_DIRECTOR, unit=office)
    return units, officers, director


def _fill(rng, units, officers, outlets, director):
    """Items over five years, busier units more often; most signed off and delivered, ~40% adopted."""
    category = Category.objects.create(name="Bench news")
    now = timezone.now()
    span = datetime.timedelta(days=365 * YEARS).total_seconds()
    weights = [rng.uniform(0.3, 1.7) for _ in units]
    authors = dict(zip(units, officers, strict=True))
    articles = []
    for n in range(ITEMS):
        unit = rng.choices(units, weights)[0]
        submitted_at = now - datetime.timedelta(seconds=rng.uniform(3600, span))
        signed_off = rng.random() < SIGNED_OFF
        articles.append(
            Article(
                unit=unit,
                author=authors[unit],
                last_editor=authors[unit],
                title=f"Item {n}",
                body="<p>Body</p>",
                category=category,
                event_date=submitted_at.date(),
                status=Status.APPROVED if signed_off else Status.REJECTED,
                submitted_at=submitted_at,
                signed_off_at=submitted_at + datetime.timedelta(hours=rng.uniform(1, 48))
                if signed_off
                else None,
            )
        )
    Article.objects.bulk_create(articles, batch_size=BATCH)
    signed_off = [a for a in articles if a.signed_off_at]
    _deliver(signed_off, outlets[0], director)
    _adopt(rng, signed_off, outlets, director, today=timezone.localdate())
    through = Article.co_units.through
    through.objects.bulk_create(
        (through(article_id=a.pk, unit_id=rng.choice(units).pk) for a in articles if rng.random() < CO_UNITS),
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def _deliver(articles, outlet, director):
    revisions = Revision.objects.bulk_create(
        (
            Revision(article=a, number=1, title=a.title, body=a.body, content_hash="x", created_by=director)
            for a in articles
        ),
        batch_size=BATCH,
    )
    Delivery.objects.bulk_create(
        (
            Delivery(
                article=a,
                revision=r,
                outlet=outlet,
                state=Delivery.State.DELIVERED,
                delivered_at=a.signed_off_at + datetime.timedelta(minutes=5),
                created_by=director,
            )
            for a, r in zip(articles, revisions, strict=True)
        ),
        batch_size=BATCH,
    )


def _adopt(rng, articles, outlets, director, today):
    share = ADOPTED / SIGNED_OFF
    adoptions = []
    for article in articles:
        if rng.random() >= share:
            continue
        count = 2 if rng.random() < TWO_OUTLETS else 1
        for outlet in rng.sample(outlets, count):
            published = timezone.localdate(article.signed_off_at) + datetime.timedelta(
                days=rng.randint(1, 10)
            )
            adopted_on = min(published, today)
            adoptions.append(
                Adoption(
                    article=article,
                    outlet=outlet,
                    level=outlet.level,
                    adopted_on=adopted_on,
                    source=Adoption.Source.OFFICE,
                    recorded_by=director,
                )
            )
    Adoption.objects.bulk_create(adoptions, batch_size=BATCH)
