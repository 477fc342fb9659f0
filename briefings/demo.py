"""The demo briefing: 沙湾区教育信息, its briefing outlet, and three issues made from signed-off demo
items, each reviewed, issued to every unit and signed for by some. Safe to run again."""

from datetime import timedelta

from celery import current_app
from django.test.utils import override_settings
from django.utils import timezone, translation

from accounts.models import Role, Unit, User
from outlets.models import Outlet
from submissions.models import Article, Status

from . import actions
from .models import BriefingColumn, BriefingSeries, BriefingStage

OUTLET = "沙湾区教育信息（简报）"
OUTLET_EN = "Shawan Education Information (briefing)"
SERIES = "沙湾区教育信息"
COLUMNS = ["工作动态", "经验交流", "基层信息"]
ISSUES_DAYS_AGO = [56, 28, 7]
PIECES_PER_ISSUE = 3


def seed():
    series = seed_series()
    if series.briefings.exists():
        return f"briefing “{series}” ({series.briefings.count()} issues)"
    editor, director = User.objects.get(username="leadership"), User.objects.get(username="director")
    used = set()
    # The demo office works in Chinese: what its issues store (notes, the adoptions' issue numbers) is
    # written as a Chinese office's site language would write it.
    with override_settings(LANGUAGE_CODE="zh-hans"), translation.override("zh-hans"):
        for days_ago in ISSUES_DAYS_AGO:
            _seed_issue(series, timezone.localdate() - timedelta(days=days_ago), used, editor, director)
    # Points now: seed_demo's transaction has not committed, so the issue's own kick waits.
    current_app.loader.import_default_modules()
    current_app.tasks["reports.score_pending"].apply()
    return f"briefing “{series}” with {series.briefings.count()} issues"


def seed_series():
    outlet, _ = Outlet.objects.get_or_create(
        name_zh_hans=OUTLET,
        defaults={
            "name_en": OUTLET_EN,
            "kind": Outlet.Kind.BRIEFING,
            "level": Outlet.Level.COUNTY,
        },
    )
    series, created = BriefingSeries.objects.get_or_create(
        name=SERIES,
        defaults={
            "issuing_office": "沙湾区教育局办公室",
            "signer": "陈静",
            "total_before": 136,
            "outlet": outlet,
            "report_to": "区委办、区政府办、市教育局",
            "copy_to": "局领导、各科室",
            "issue_to": "各中小学、幼儿园",
            "copies": 40,
        },
    )
    if created:
        for order, name in enumerate(COLUMNS, start=1):
            BriefingColumn.objects.create(series=series, name=name, order=order)
        BriefingStage.objects.create(
            series=series, order=1, name="办公室主任审核", reviewer_role=Role.OFFICE_DIRECTOR
        )
    return series


def _seed_issue(series, day, used, editor, director):
    items = list(
        Article.objects.filter(status=Status.APPROVED, signed_off_at__date__lt=day)
        .exclude(pk__in=used)
        .order_by("-signed_off_at")[:PIECES_PER_ISSUE]
    )
    if not items:
        return None
    used.update(a.pk for a in items)
    briefing = actions.create_briefing(series, by=editor)
    columns = list(series.columns.all())
    for n, article in enumerate(items):
        actions.add_piece(briefing, article, by=editor, column=columns[n % len(columns)])
    briefing.refresh_from_db()
    briefing.editor_note = "本期选编近期各校工作动态和经验做法，供参考。"
    briefing.save(update_fields=["editor_note"])
    actions.submit_for_review(briefing, by=editor)
    actions.approve(briefing.steps.get(), by=director, comment="同意印发。")
    units = list(Unit.objects.active().filter(parent__isnull=False))
    actions.issue(briefing, units=units, by=editor, issued_on=day)
    _sign_some(briefing)
    return briefing


def _sign_some(briefing):
    """The units whose officer is a demo login sign; the rest are left for “Urge”."""
    for receipt in briefing.receipts.select_related("unit"):
        signer = User.objects.filter(
            role_assignments__unit=receipt.unit, role_assignments__role=Role.LIAISON_OFFICER
        ).first()
        if signer is not None and signer.username in ("officer", "officer2"):
            actions.sign_for(receipt, by=signer)
