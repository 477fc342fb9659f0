"""The office director's month-end routine: record an adoption, watch the dashboard and ranking
change, generate and publish the bulletin, download the year-end figures."""

import re

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from accounts.models import Unit, User
from outlets.models import Outlet
from reports.models import Bulletin, BulletinReceipt, ScoreRule
from submissions.models import Status
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _number(page, testid):
    return int(re.sub(r"[^\d-]", "", page.get_by_test_id(testid).inner_text()) or 0)


def test_the_director_runs_the_month_end_routine(demo, browser, live_server, sign_in, tmp_path):
    unit = Unit.objects.get(name_en="Jiayang Town Central School")
    officer = User.objects.get(username="officer")
    now = timezone.now()
    item = ArticleFactory(unit=unit, author=officer, last_editor=officer, title="Town pupils plant 300 trees")
    item.status, item.submitted_at, item.signed_off_at = Status.APPROVED, now, now
    item.save()
    Outlet.objects.create(name="Municipal Daily", kind=Outlet.Kind.ATOM, level=Outlet.Level.CITY)
    ScoreRule.objects.get_or_create(level=Outlet.Level.CITY, defaults={"main_points": 4, "co_points": 2})
    context = browser.new_context(locale="en-US", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, "director")

    page.get_by_role("link", name="Assessment").click()
    expect(page.get_by_role("heading", name="Assessment dashboard")).to_be_visible()
    adopted_before, points_before = _number(page, "total-adopted"), _number(page, "total-points")

    # record the adoption
    page.get_by_role("link", name="Record adoption").first.click()
    page.get_by_label("Item number").fill(str(item.pk))
    page.get_by_label("Outlet").select_option(label="Municipal Daily")
    page.get_by_label("Published on").fill(timezone.localdate().isoformat())
    page.get_by_label("Issue and page").fill("No. 1234, p. 3")
    page.get_by_test_id("save-adoption").click()
    expect(
        page.get_by_text("Recorded: “Town pupils plant 300 trees” adopted by Municipal Daily.")
    ).to_be_visible()
    expect(page.get_by_test_id("adoption-row").filter(has_text="Town pupils plant 300 trees")).to_be_visible()

    # the dashboard and the ranking change
    page.get_by_role("link", name="Dashboard").click()
    assert _number(page, "total-adopted") == adopted_before + 1
    assert _number(page, "total-points") >= points_before + 4
    expect(page.get_by_test_id("chart-adopted").locator("svg")).to_be_visible()
    page.get_by_role("link", name="Rankings").click()
    row = page.get_by_test_id("ranking-row").filter(has_text="Jiayang Town Central School")
    expect(row).to_be_visible()
    page.get_by_label("By").select_option("adopted")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"measure=adopted"))

    # the bulletin: generate, edit, publish, download
    page.get_by_role("link", name="Bulletins").first.click()
    page.get_by_label("Period").select_option(str(timezone.localdate().strftime("%Y-%m")))
    page.get_by_test_id("generate").click()
    expect(page.get_by_test_id("bulletin-state")).to_have_text("Draft")
    editor = page.get_by_test_id("body-editor")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" The office thanks every liaison officer.")
    page.get_by_test_id("save-bulletin").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("bulletin-state")).to_contain_text("Published")
    with page.expect_download() as pdf:
        page.get_by_test_id("bulletin-pdf").click()
    assert pdf.value.path().read_bytes().startswith(b"%PDF")
    with page.expect_download() as word:
        page.get_by_test_id("bulletin-docx").click()
    text = "\n".join(p.text for p in Document(str(word.value.path())).paragraphs)
    assert "The office thanks every liaison officer." in text
    bulletin = Bulletin.objects.get()
    assert bulletin.is_published

    # a unit reads it; the office sees who has
    officer_context = browser.new_context(locale="en-US")
    officer_page = officer_context.new_page()
    sign_in(officer_page, "officer3" if User.objects.filter(username="officer3").exists() else "officer")
    officer_page.goto(f"{live_server.url}/reports/bulletins/{bulletin.pk}/")
    expect(officer_page.get_by_test_id("bulletin-title")).to_be_visible()
    officer_context.close()
    assert BulletinReceipt.objects.filter(bulletin=bulletin).count() == 1
    page.reload()
    expect(page.get_by_text(re.compile(r"Read by 1 of \d+ units"))).to_be_visible()

    # the year-end figures
    page.get_by_role("link", name="Assessment").click()
    page.get_by_role("link", name="Year-end figures").first.click()
    expect(page.get_by_text("Municipal Daily").first).to_be_visible()
    with page.expect_download() as year_end:
        page.get_by_role("link", name="Download Word document").click()
    summary = "\n".join(p.text for p in Document(str(year_end.value.path())).paragraphs)
    assert "Municipal Daily" in summary or "Municipal Daily" in str(
        [c.text for t in Document(str(year_end.value.path())).tables for r in t.rows for c in r.cells]
    )
    context.close()
