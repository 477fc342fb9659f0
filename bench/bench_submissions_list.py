"""My submissions with 10,000 items in the unit: server time and queries, first and deep pages."""

import datetime

from django.test import Client
from django.utils import timezone

from accounts.models import Role, RoleAssignment, Unit, User
from bench.harness import timed
from submissions.models import Article, Category, Status

ITEMS = 10_000


def run(report):
    office = Unit.objects.create(name="Bench office")
    unit = Unit.objects.create(name="Bench school", parent=office)
    officer = User.objects.create(username="bench-officer")
    RoleAssignment.objects.create(user=officer, role=Role.LIAISON_OFFICER, unit=unit)
    category = Category.objects.create(name="Bench news")
    statuses = list(Status)
    today = timezone.localdate()
    Article.objects.bulk_create(
        Article(
            unit=unit,
            author=officer,
            last_editor=officer,
            title=f"Item {n} about the school's week",
            body=f"<p>Body of item {n}.</p>",
            category=category,
            event_date=today - datetime.timedelta(days=n % 1500),
            status=statuses[n % len(statuses)],
        )
        for n in range(ITEMS)
    )
    client = Client()
    client.force_login(officer)
    for label, query in [
        ("page 1", {}),
        ("page 200 (deep)", {"page": 200}),
        ("status filter", {"status": Status.IN_REVIEW}),
        ("month filter", {"month": today.strftime("%Y-%m")}),
        ("search", {"q": "item 9999"}),
    ]:
        ms, queries = timed(lambda query=query: client.get("/submissions/", query))
        report(f"GET /submissions/ {label}, median", ms, "ms")
        report(f"GET /submissions/ {label}, queries", queries, "")
