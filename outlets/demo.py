"""Demo outlets that need no outside service: an Atom feed, and a webhook to the small receiver that
`make run` starts on 127.0.0.1:8099 (outlets/receiver.py). Safe to run again."""

from .credentials import encrypt
from .models import Outlet

DEMO_WEBHOOK_SECRET = "whsec_ZGVtby1vbmx5LXNlY3JldC1mb3ItdGhlLWxhcHRvcA=="
DEMO_RECEIVER = "http://127.0.0.1:8099/hook"


def seed():
    Outlet.objects.get_or_create(
        name="Campus news feed",
        defaults={"kind": Outlet.Kind.ATOM, "level": Outlet.Level.SCHOOL, "preselected": True},
    )
    Outlet.objects.get_or_create(
        name="District education portal (demo webhook)",
        defaults={
            "kind": Outlet.Kind.WEBHOOK,
            "level": Outlet.Level.COUNTY,
            "endpoint": DEMO_RECEIVER,
            "secret_encrypted": encrypt(DEMO_WEBHOOK_SECRET),
            "preselected": True,
        },
    )
    return "2 demo outlets (an Atom feed, a webhook to the local receiver)"
