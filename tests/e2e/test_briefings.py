"""The office's briefing (简报): composed from three signed-off items, reviewed, issued, downloaded as
PDF and Word, signed for by two units, the rest urged; its pieces count as adoptions."""

import io
import re
import subprocess

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from accounts.models import Unit, User
from submissions.models import Status
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

TITLES = ["沙湾一中举办科技节", "实验小学开展读书月活动", "嘉阳镇中心校植树三百棵"]
UNITS = ["Shawan No. 1 Middle School", "Shawan Experimental Primary School", "Jiayang Town Central School"]


def signed_off_items():
    now = timezone.now()
    items = []
    for title, unit_name in zip(TITLES, UNITS, strict=True):
        unit = Unit.objects.get(name=unit_name)
        officer = User.objects.get(username="officer")
        item = ArticleFactory(unit=unit, author=officer, last_editor=officer, title=title)
        item.body = f"<p>{title}，师生踊跃参与。</p>"
        item.status, item.submitted_at, item.signed_off_at = Status.APPROVED, now, now
        item.save()
        items.append(item)
    return items


def new_page(browser):
    context = browser.new_context(locale="en-US", accept_downloads=True)
    context.set_default_timeout(15_000)
    return context.new_page()


def number(page, testid):
    return int(re.sub(r"[^\d-]", "", page.get_by_test_id(testid).inner_text()) or 0)


def download(page, testid, path):
    with page.expect_download() as info:
        page.get_by_test_id(testid).click()
    info.value.save_as(path)
    return path


def test_the_office_composes_reviews_and_issues_a_briefing_that_units_sign_for(
    demo, browser, live_server, sign_in, tmp_path
):
    items = signed_off_items()
    editor = sign_in(new_page(browser), "leadership")
    editor.get_by_role("link", name="Assessment").click()
    adopted_before = number(editor, "total-adopted")

    # compose: a new issue, two items picked by search, the third from its item page
    editor.get_by_role("link", name="Briefings").click()
    editor.get_by_role("button", name="New issue").click()
    editor.get_by_label("Search signed-off items").fill("活动")
    editor.get_by_role("button", name="Search").click()
    editor.get_by_role("button", name=f"Add “{TITLES[1]}”").click()
    editor.get_by_label("Search signed-off items").fill("科技节")
    editor.get_by_role("button", name="Search").click()
    editor.get_by_role("button", name=f"Add “{TITLES[0]}”").click()
    compose_url = editor.url
    editor.goto(f"{live_server.url}/submissions/{items[2].pk}/")
    editor.get_by_test_id("add-to-briefing").click()
    editor.get_by_role("button", name="Add").click()
    expect(editor.get_by_test_id("piece")).to_have_count(3)

    # edit the pieces for the briefing; autosave keeps the editor's note
    editor.get_by_label("Editor's note").fill("本期聚焦校园活动。")
    expect(editor.locator("#autosave-status")).to_contain_text("Saved at")
    editor.get_by_test_id("piece").nth(2).get_by_label("Column", exact=True).select_option(label="基层信息")
    editor.get_by_test_id("piece").first.get_by_label("Title", exact=True).fill("读书月：实验小学师生共读")
    editor.get_by_test_id("piece").first.get_by_test_id("body-editor").fill("读书月期间，全校师生共读经典。")
    editor.get_by_test_id("save-briefing").click()
    expect(editor.get_by_text("Briefing saved.")).to_be_visible()
    assert editor.url == compose_url.split("?")[0]
    editor.get_by_role("link", name="Done: to the briefing's page").click()
    editor.get_by_test_id("submit-briefing").click()
    expect(editor.get_by_test_id("briefing-status")).to_have_text("In review")
    briefing_url = editor.url
    items[1].refresh_from_db()
    assert items[1].title == TITLES[1]  # the item stays as it was signed off

    # review and issue (the office director)
    director = sign_in(new_page(browser), "director")
    director.goto(briefing_url)
    director.get_by_role("button", name="Approve").click()
    expect(director.get_by_test_id("briefing-status")).to_have_text("Approved, not yet issued")
    director.get_by_test_id("issue").click()
    expect(director.get_by_test_id("briefing-status")).to_have_text("Issued")
    expect(director.get_by_role("heading", level=1)).to_contain_text("(total No. 140)")

    # the files, with the Chinese text and embedded fonts
    pdf = download(director, "download-pdf", tmp_path / "briefing.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in [
        "沙湾区教育信息",
        "(total No. 140)",
        "基层信息",
        TITLES[2],
        "读书月：实验小学师生共读",
        "共读经典",
    ]:  # compared without spaces: the masthead is letter-spaced, and pdftotext reads gaps in it
        assert "".join(expected.split()) in "".join(text.split())
    fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout.splitlines()[
        2:
    ]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)
    docx = download(director, "download-docx", tmp_path / "briefing.docx")
    words = "\n".join(p.text for p in Document(io.BytesIO(docx.read_bytes())).paragraphs)
    assert "沙湾区教育信息" in words and TITLES[0] in words and "本期聚焦校园活动。" in words

    # two units sign for it (a page view signs nothing)
    units = Unit.objects.active().filter(parent__isnull=False).count()
    director.reload()
    expect(director.get_by_test_id("signed-count")).to_have_text(f"signed by 0 of {units}")
    for username in ("officer", "officer2"):
        officer = sign_in(new_page(browser), username)
        officer.get_by_role("link", name="Briefings").click()
        officer.get_by_role("link", name=re.compile("total No. 140")).click()
        officer.get_by_test_id("sign-for").click()
        expect(officer.get_by_text(re.compile("^Signed for"))).to_be_visible()
        expect(officer.get_by_test_id("sign-for")).to_have_count(0)

    # the office sees who signed and urges the rest
    director.reload()
    expect(director.get_by_test_id("signed-count")).to_have_text(f"signed by 2 of {units}")
    director.get_by_test_id("urge").click()
    expect(director.get_by_text(f"{units - 2} units were reminded to sign.")).to_be_visible()

    # the pieces count as adoptions
    director.get_by_role("link", name="Assessment").click()
    assert number(director, "total-adopted") == adopted_before + 3
