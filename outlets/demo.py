"""Demo outlets that need no outside service: an Atom feed, and a webhook to the small receiver that
`make run` starts on 127.0.0.1:8099 (outlets/receiver.py). Safe to run again."""

from .credentials import encrypt
from .models import Outlet

DEMO_WEBHOOK_SECRET = "whsec_ZGVtby1vbmx5LXNlY3JldC1mb3ItdGhlLWxhcHRvcA=="
DEMO_RECEIVER = "http://127.0.0.1:8099/hook"


def seed():
    Outlet.objects.get_or_create(
        name_en="Campus news feed",
        defaults={
            "name_en": "Campus news feed",
            "name_zh_hans": "校园新闻订阅源",
            "kind": Outlet.Kind.ATOM,
            "level": Outlet.Level.SCHOOL,
            "preselected": True,
        },
    )
    Outlet.objects.get_or_create(
        name_en="District education portal (demo webhook)",
        defaults={
            "name_en": "District education portal (demo webhook)",
            "name_zh_hans": "区教育门户网站（演示推送）",
            "kind": Outlet.Kind.WEBHOOK,
            "level": Outlet.Level.COUNTY,
            "endpoint": DEMO_RECEIVER,
            "secret_encrypted": encrypt(DEMO_WEBHOOK_SECRET),
            "preselected": True,
        },
    )
    return "2 demo outlets (an Atom feed, a webhook to the local receiver)"
