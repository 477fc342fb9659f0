"""Sign-in page and each role's home page: server time and queries (demo data)."""

from django.core.management import call_command
from django.test import Client

from accounts.models import User
from bench.harness import timed


def run(report):
    call_command("seed_demo", verbosity=0)
    anonymous = Client()
    ms, queries = timed(lambda: anonymous.get("/accounts/login/"))
    report("GET /accounts/login/ median", ms, "ms")
    report("GET /accounts/login/ queries", queries, "")
    for username in ("officer", "director", "admin"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        ms, queries = timed(lambda client=client: client.get("/"))
        report(f"GET / as {username} median", ms, "ms")
        report(f"GET / as {username} queries", queries, "")
