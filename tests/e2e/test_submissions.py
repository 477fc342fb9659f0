"""The liaison officer's journey in Chromium, on a desktop and on a phone (issue: Submissions)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from submissions.models import Article, Photo, Status
from tests.submissions import corpus

pytestmark = pytest.mark.django_db(transaction=True)

# What Word puts on the clipboard: lists as styled paragraphs, tables, fonts, a local image.
WORD_HTML = (Path(__file__).parent / "word_paste.html").read_text()


@pytest.fixture(params=["desktop", "phone"])
def officer_page(request, demo, live_server, browser, sign_in):
    options = {"viewport": {"width": 1280, "height": 900}} if request.param == "desktop" else {
        "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}  # fmt: skip
    context = browser.new_context(locale="en-US", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and page.csp_errors.append(msg.text))
    sign_in(page, "officer")
    expect(page).to_have_url(f"{live_server.url}/")
    yield page
    context.close()


def body_editor(page):
    return page.get_by_test_id("body-editor")


def test_officer_drafts_adds_photos_and_submits(officer_page, live_server, tmp_path):
    page = officer_page
    page.get_by_role("link", name="My submissions").first.click() if page.viewport_size["width"] > 700 else (
        page.goto(f"{live_server.url}/submissions/"))  # fmt: skip
    page.get_by_role("link", name="New submission").click()

    page.get_by_label("Title").fill("Shawan No. 1 holds its spring sports day")
    body_editor(page).click()
    page.keyboard.type("沙湾一中举行春季运动会。Pupils from every grade took part.")
    expect(page.locator("#body-count")).to_contain_text("characters")
    page.get_by_label("Category").select_option(label="News")
    page.get_by_label("Event date").fill("2026-11-20")
    page.get_by_label("Important").check()

    # Autosave creates the draft: the address becomes the draft's own.
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    expect(page).to_have_url(re.compile(r"/submissions/\d+/edit/$"))
    article = Article.objects.get(title="Shawan No. 1 holds its spring sports day")

    big = tmp_path / "IMG_4032.jpg"
    big.write_bytes(corpus.phone_jpeg())
    heic = tmp_path / "IMG_0002.HEIC"
    heic.write_bytes(corpus.heic())
    page.locator("#photo-input").set_input_files([str(big), str(heic)])
    expect(page.get_by_test_id("photo-row")).to_have_count(2)
    expect(page.get_by_test_id("upload-item")).to_have_count(0)

    rows = page.get_by_test_id("photo-row")
    rows.nth(0).get_by_label("Caption").fill("The 100 m final")
    rows.nth(1).get_by_label("Caption").fill("Prize giving")
    rows.nth(1).get_by_label("Photographer").fill("Li Na")
    rows.nth(1).get_by_label("Cover").check()
    rows.nth(1).get_by_role("button", name="Move up").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    photos = list(Photo.objects.filter(article=article))
    assert [(p.caption, p.is_cover) for p in photos] == [("Prize giving", True), ("The 100 m final", False)]
    big_photo = next(p for p in photos if p.original_name == "IMG_4032.jpg")
    assert max(big_photo.width, big_photo.height) <= 2560  # downscaled in the browser before upload
    expect(page.get_by_test_id("photo-thumb")).to_have_count(2)  # renditions replaced the placeholders

    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("checks-ok")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("In review")
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW and article.important
    assert "沙湾一中举行春季运动会" in article.body
    assert page.csp_errors == []


def test_typing_is_autosaved_and_survives_a_reload(officer_page, live_server):
    page = officer_page
    page.goto(f"{live_server.url}/submissions/new/")
    page.get_by_label("Title").fill("Reading week")
    body_editor(page).click()
    page.keyboard.type("Every class read aloud")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")

    page.keyboard.type(" for an hour.")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=15_000)
    page.wait_for_timeout(3000)
    page.reload()

    expect(body_editor(page)).to_contain_text("Every class read aloud for an hour.")
    expect(page.get_by_label("Title")).to_have_value("Reading week")
    assert Article.objects.filter(title="Reading week").count() == 1


def test_closing_the_tab_keeps_what_was_typed(demo, live_server, browser, sign_in):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    sign_in(page, "officer")
    page.goto(f"{live_server.url}/submissions/new/")
    page.get_by_label("Title").fill("Tree planting")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    page.get_by_label("Title").fill("Tree planting on the hill")
    page.close(run_before_unload=True)  # before the autosave delay: the page-hide beacon saves it
    context.close()

    article = Article.objects.get(title__startswith="Tree planting")
    for _ in range(50):
        article.refresh_from_db()
        if article.title.endswith("hill"):
            break
        __import__("time").sleep(0.1)
    assert article.title == "Tree planting on the hill"


def test_pasting_from_word_keeps_structure_and_drops_the_rest(officer_page, live_server):
    page = officer_page
    page.goto(f"{live_server.url}/submissions/new/")
    page.get_by_label("Title").fill("Pasted from Word")
    body_editor(page).click()
    body_editor(page).evaluate(
        """(el, html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "fallback");
            const paste = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
            el.dispatchEvent(paste);
        }""",
        WORD_HTML,
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    body = Article.objects.get(title="Pasted from Word").body
    assert "<strong>bold words</strong>" in body and "<em>italic</em>" in body
    assert re.search(r"<ul><li><p>First point</p></li><li><p>Second point</p></li></ul>", body), body
    assert "<table>" in body and "Medals" in body
    for junk in ("Mso", "style=", "font", "<img", "javascript", "·", "<span"):
        assert junk not in body, (junk, body)


def test_a_failed_upload_can_be_retried(officer_page, live_server, tmp_path):
    page = officer_page
    page.goto(f"{live_server.url}/submissions/new/")
    page.get_by_label("Title").fill("Flaky connection")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")

    failures = {"left": 1}

    def flaky(route):
        if failures["left"]:
            failures["left"] -= 1
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r"/photos/$"), flaky)
    photo = tmp_path / "IMG_9.jpg"
    photo.write_bytes(corpus.jpeg())
    page.locator("#photo-input").set_input_files(str(photo))

    item = page.get_by_test_id("upload-item")
    expect(item.get_by_role("alert")).to_contain_text("Upload failed")
    item.get_by_role("button", name="Retry").click()
    expect(page.get_by_test_id("photo-row")).to_have_count(1)
    assert Photo.objects.filter(article__title="Flaky connection").count() == 1


def test_a_refused_photo_is_named_and_nothing_else_is_lost(officer_page, live_server, tmp_path):
    page = officer_page
    page.goto(f"{live_server.url}/submissions/new/")
    page.get_by_label("Title").fill("Keep me")
    fake = tmp_path / "invitation.jpg"
    fake.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    page.locator("#photo-input").set_input_files(str(fake))

    expect(page.get_by_test_id("upload-item").get_by_role("alert")).to_contain_text(
        "“invitation.jpg” is not a JPEG, PNG, WebP or HEIC photo."
    )
    expect(page.get_by_label("Title")).to_have_value("Keep me")


def test_my_submissions_filters_and_withdraws(officer_page, live_server):
    from accounts.models import Unit, User
    from tests.factories import ArticleFactory

    school = Unit.objects.get(name_en="Shawan No. 1 Middle School")
    officer = User.objects.get(username="officer")
    ArticleFactory(
        unit=school, author=officer, last_editor=officer, title="Choir concert", status=Status.IN_REVIEW
    )
    ArticleFactory(unit=school, author=officer, last_editor=officer, title="Draft notes")
    page = officer_page
    page.goto(f"{live_server.url}/submissions/")

    page.get_by_label("Status").select_option(label="In review")
    page.get_by_role("button", name="Filter").click()
    results = page.get_by_test_id("article-list")
    expect(results).to_contain_text("Choir concert")
    expect(results).not_to_contain_text("Draft notes")
    page.get_by_role("link", name=re.compile("Choir concert")).click()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_test_id("status")).to_have_text("Withdrawn")
