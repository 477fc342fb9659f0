"""Every page at scale, against the Django admin on the same data (issue 14's targets).

BENCH_ITEMS items (default 100,000 on PostgreSQL, 20,000 on SQLite) in a database of its own, built
by bench/dataset.py; BENCH_KEEP=1 keeps that database, and the next run with the same BENCH_ITEMS
finds it and skips building. For each page, as the person who uses it: p50 and p95 server time over
up to BENCH_REQUESTS requests (the Django test client, in-process), the queries of one request, the
same for the admin's equivalent and the ratio, and EXPLAIN ANALYZE of the page's slowest query
(a sequential scan of a big table is flagged). Then gunicorn's workers' memory (bench/web_memory.py).
"""

import functools
import logging
import os
import re
import time
import warnings
from dataclasses import dataclass, field, replace

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import dataset, web_memory
from bench.harness import dataset_database, percentiles
from outlets.models import Adoption, Delivery
from publicity import collector, paging
from publicity.paging import PAGE_SIZE
from reports.models import Score
from reports.periods import Period
from submissions.models import Article

COMMITTED = True  # its own database, committed: gunicorn reads it
TARGET_MS = 50
TARGET_RATIO = 0.1  # of the admin's p95
ADMIN_PAGE_SIZE = 100
MIN_REQUESTS = 5
BUDGET_S = 15  # per page: stop after this long once MIN_REQUESTS are in
BIG_TABLES = {m._meta.db_table for m in dataset.BIG_MODELS}  # those the data set fills


@dataclass
class Page:
    label: str
    user: str
    url: str
    query: dict = field(default_factory=dict)
    admin_url: str | None = None
    admin_query: dict = field(default_factory=dict)


@dataclass
class Timing:
    status: int
    p50: float = 0
    p95: float = 0
    requests: int = 0
    queries: list = field(default_factory=list)


def run(report):
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request to gunicorn
    # whitenoise looks for collected files when DEBUG goes off; the in-process pages need none
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    default = 100_000 if connection.vendor == "postgresql" else 20_000
    items = int(os.environ.get("BENCH_ITEMS") or default)
    keep = os.environ.get("BENCH_KEEP", "") not in ("", "0")
    with dataset_database(f"pages_{items}", keep=keep) as database_url:
        landmarks = _landmarks(items)
        print(
            f"   {landmarks.items:,} items; {Delivery.objects.count():,} deliveries; "
            f"{Adoption.objects.count():,} adoptions; {Score.objects.count():,} score lines; "
            f"busiest unit {landmarks.unit_items:,} items"
        )
        collector.settle()  # as publicity/wsgi.py does in each web process once Django is loaded
        rows = []
        with override_settings(DEBUG=False):  # as in production; CaptureQueriesContext still records
            for page in _pages(landmarks, timezone.localdate()):
                rows.append((page, _time(page, page.url, page.query), _admin(page)))
            floor = _time(replace(FLOOR, user=landmarks.officer), FLOOR.url, FLOOR.query)
        _print_table(rows)
        _print_floor(floor, rows)
        _print_plans(rows)
        web_memory.run(report, database_url, landmarks, [p for p, _, _ in rows])


def _landmarks(items):
    started = time.perf_counter()
    found = dataset.Landmarks.find()
    if found is not None and found.items == items:
        print(f"   data set of {items:,} items found (kept by BENCH_KEEP); not built again")
        return found
    if found is not None or Article.objects.exists():  # a build that did not finish
        call_command("flush", interactive=False, verbosity=0)
    landmarks = dataset.build(items)
    print(f"   data set built in {time.perf_counter() - started:,.0f} s")
    return landmarks


def _pages(lm, today):
    month, year = Period.containing("month", today), Period.containing("year", today)
    deep = max(1, lm.unit_items // PAGE_SIZE)
    own = {"unit__id__exact": lm.unit_id}
    articles, deliveries, adoptions = (
        "/admin/submissions/article/",
        "/admin/outlets/delivery/",
        "/admin/outlets/adoption/",
    )
    in_month = {"adopted_on__year": month.year, "adopted_on__month": month.number}
    return [
        Page("My submissions, page 1", lm.officer, "/submissions/", {}, articles, own),
        Page(
            f"My submissions, page {deep}",
            lm.officer,
            "/submissions/",
            _deep_query(lm, deep),
            articles,
            own | {"p": max(1, deep * PAGE_SIZE // ADMIN_PAGE_SIZE)},
        ),
        Page(
            "My submissions, search",
            lm.officer,
            "/submissions/",
            {"q": dataset.SEARCHED},
            articles,
            own | {"q": dataset.SEARCHED},
        ),
        Page(
            "Review queue, leader", lm.leader, "/reviews/", {}, articles, own | {"status__exact": "in_review"}
        ),
        Page(
            "Item page",
            lm.officer,
            f"/submissions/{lm.article_id}/",
            {},
            f"{articles}{lm.article_id}/change/",
        ),
        Page("Deliveries", lm.director, "/outlets/deliveries/", {}, deliveries),
        Page("Dashboard, month", lm.director, "/reports/", {"period": str(month)}, adoptions, in_month),
        Page(
            "Dashboard, year",
            lm.director,
            "/reports/",
            {"period": str(year)},
            adoptions,
            {"adopted_on__year": year.year},
        ),
        Page(
            "Rankings, year",
            lm.director,
            "/reports/rankings/",
            {"period": str(year), "measure": "points", "of": "units"},
            adoptions,
            {"adopted_on__year": year.year},
        ),
        Page(
            "Year-end figures, office",
            lm.director,
            "/reports/year-end/",
            {"year": year.year - 1},
            adoptions,
            {"adopted_on__year": year.year - 1},
        ),
        Page("Home, officer", lm.officer, "/", {}, articles, own),
    ]


# The least a signed-in page of ours costs: the layout (header, menus, unread count) around a small
# form, with no list or figures. The ≤ 1/10 targets are read against it.
FLOOR = Page("Layout alone (password change)", "", "/accounts/password/")

_clients = {}


def _deep_query(lm, deep):
    """Page `deep` of the officer's list as they reach it: by the Next link's cursor (keyset paging)."""
    rows = Article.objects.for_list().filter(unit_id=lm.unit_id)
    last_before = rows[(deep - 1) * PAGE_SIZE - 1 : (deep - 1) * PAGE_SIZE][0]
    return QueryDict(paging.query_after(rows, last_before, name="articles", page=deep)).dict()


def _client(username):
    if username not in _clients:
        _clients[username] = Client()
        _clients[username].force_login(get_user_model().objects.get(username=username))
    return _clients[username]


def _time(page, url, query, *, username=None):
    client = _client(username or page.user)
    status = client.get(url, query).status_code  # warms caches, templates and the connection
    if status != 200:
        return Timing(status)
    samples, started = [], time.perf_counter()
    limit = int(os.environ.get("BENCH_REQUESTS") or 20)
    while len(samples) < limit and (len(samples) < MIN_REQUESTS or time.perf_counter() - started < BUDGET_S):
        begun = time.perf_counter()
        client.get(url, query)
        samples.append((time.perf_counter() - begun) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, query)
    p50, p95 = percentiles(samples)
    return Timing(status, p50, p95, len(samples), captured.captured_queries)


def _admin(page):
    if page.admin_url is None:
        return None
    return _time(page, page.admin_url, page.admin_query, username="bench-admin")


def _verdicts(timing, admin):
    fast = timing.status == 200 and timing.p95 <= TARGET_MS
    if admin is None or admin.status != 200 or timing.status != 200:
        return fast, None, None
    ratio = timing.p95 / admin.p95
    return fast, ratio, ratio <= TARGET_RATIO


def _print_table(rows):
    print(f"\n   targets: p95 ≤ {TARGET_MS} ms server time; p95 ≤ {TARGET_RATIO:g} x the admin's p95")
    header = (
        f"   {'page':<30} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7} {'admin p50':>10} {'admin p95':>10}"
        f" {'admin q':>7} {'ratio':>6}  {'≤50ms':<5} {'≤1/10':<5} seq scan"
    )
    print(header)
    print("   " + "-" * (len(header) - 3))
    for page, timing, admin in rows:
        if timing.status != 200:
            print(f"   {page.label:<30} HTTP {timing.status}: not timed")
            continue
        fast, ratio, light = _verdicts(timing, admin)
        admin_cells = (
            f"{admin.p50:>10,.1f} {admin.p95:>10,.1f} {len(admin.queries):>7}"
            if admin and admin.status == 200
            else f"{'—':>10} {'—':>10} {'—':>7}"
        )
        print(
            f"   {page.label:<30} {timing.p50:>8,.1f} {timing.p95:>8,.1f} {len(timing.queries):>7}"
            f" {admin_cells} {_ratio(ratio):>6}  {_verdict(fast):<5} {_verdict(light):<5}"
            f" {_seq_scans(timing) or '-'}"
        )


def _print_floor(floor, rows):
    """What a page of ours costs with nothing in it, and the pages whose 1/10 of the admin is less."""
    if floor.status != 200:
        print(f"\n   {FLOOR.label}: HTTP {floor.status}, not timed")
        return
    under = [
        page.label
        for page, timing, admin in rows
        if admin and admin.status == 200 and admin.p95 * TARGET_RATIO < floor.p95
    ]
    print(
        f"\n   {FLOOR.label}: p50 {floor.p50:,.1f} ms, p95 {floor.p95:,.1f} ms, {len(floor.queries)} queries;"
        f" 1/10 of the admin's p95 is below it for {len(under)} of {len(rows)} pages"
        + (f" ({', '.join(under)})" if under else "")
    )


def _ratio(ratio):
    return "—" if ratio is None else f"{ratio:.2f}"


def _verdict(ok):
    return "—" if ok is None else ("PASS" if ok else "MISS")


def _print_plans(rows):
    print("\n   The slowest query of each page (one request), with its plan:")
    for page, timing, _ in rows:
        if timing.status != 200 or not timing.queries:
            continue
        slowest = _slowest(timing)
        ms = float(slowest["time"]) * 1000
        print(f"\n   == {page.label} ({len(timing.queries)} queries; slowest {ms:,.1f} ms)")
        print("   " + _shorten(slowest["sql"]))
        for line in _plan(slowest["sql"]):
            print(f"      {line}")


def _slowest(timing):
    return max(timing.queries, key=lambda q: float(q["time"]))


def _shorten(sql, limit=600):
    sql = re.sub(r"\s+", " ", sql)
    return sql if len(sql) <= limit else f"{sql[:limit]} … ({len(sql):,} characters)"


@functools.cache
def _plan(sql):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}")
            return tuple(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return tuple(row[-1] for row in cursor.fetchall())


def _seq_scans(timing):
    """The big tables the slowest query reads whole (PostgreSQL: Seq Scan; SQLite: SCAN without an
    index), comma-separated."""
    if not timing.queries:
        return ""
    plan = "\n".join(_plan(_slowest(timing)["sql"]))
    pattern = r"Seq Scan on (\w+)" if connection.vendor == "postgresql" else r"SCAN (\w+)(?!\w| USING)"
    return ", ".join(sorted({t for t in re.findall(pattern, plan) if t in BIG_TABLES}))
