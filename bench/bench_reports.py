"""Scoring over 100 units and five years of items (~100,000), and the report pages bench_pages leaves out.

Rescores every adoption and every finished month of the data set bench/dataset.py builds, then times
the rankings of officers and by rate for the office director: median server time and queries."""

import time

from django.test import Client
from django.utils import timezone

from accounts.models import User
from bench import dataset
from bench.harness import timed
from outlets.models import Adoption
from reports import actions, scoring, tallies
from reports.models import Score
from reports.periods import Period

ITEMS = 100_000


def run(report):
    landmarks = dataset.build(ITEMS, log=lambda line: None)
    Score.objects.filter(kind__in=scoring.ADOPTION_KINDS).delete()
    Adoption.objects.update(needs_scoring=True)  # as after a change of rules: everything to score again

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
    client.force_login(User.objects.get(username=landmarks.director))
    for label, url, query in _pages(timezone.localdate()):
        status = client.get(url, query).status_code
        if status != 200:
            report(f"GET {url} {label}: HTTP status (not timed)", status, "")
            continue
        ms, queries = timed(lambda url=url, query=query: client.get(url, query))
        report(f"GET {url} {label}, median", ms, "ms")
        report(f"GET {url} {label}, queries", queries, "")


def _pages(today):
    quarter, year = (Period.containing(kind, today) for kind in ("quarter", "year"))
    rankings = "/reports/rankings/"
    return [
        ("officers by points", rankings, {"period": str(year), "measure": "points", "of": "officers"}),
        ("units by rate, quarter", rankings, {"period": str(quarter), "measure": "rate", "of": "units"}),
    ]
