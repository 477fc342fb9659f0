"""The whole journey with the keyboard alone: sign in, draft with a photo, submit, review, sign off.
No .click() anywhere: focus moves with Tab, and Enter, Space and typing do the rest."""

import re

import pytest
from playwright.sync_api import expect

from submissions.models import Article, Status
from tests.submissions import corpus

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Keyboard-only report on the reading week"


def tab_to(page, target, limit=120):
    """Press Tab until `target` has the focus, as someone without a mouse would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement || el.contains(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {target}")


@pytest.fixture
def keyboard_page(browser, live_server):
    contexts = []

    def keyboard_page(username):
        context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 768})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        tab_to(page, page.get_by_label("Username"))
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type("publicity-demo")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server.url}/")
        return page

    yield keyboard_page
    for context in contexts:
        context.close()


def follow(page, link):
    tab_to(page, link)
    page.keyboard.press("Enter")


def decide_from_queue(page, button="Approve"):
    follow(page, page.get_by_role("link", name="Review queue", exact=True))
    follow(page, page.get_by_test_id("queue").get_by_role("link", name=re.compile(TITLE)))
    tab_to(page, page.get_by_role("button", name=button))
    page.keyboard.press("Enter")


def test_draft_submit_review_and_sign_off_with_the_keyboard_alone(demo, live_server, keyboard_page, tmp_path):
    officer = keyboard_page("officer")
    follow(officer, officer.get_by_role("link", name="My submissions", exact=True))
    follow(officer, officer.get_by_role("link", name="New submission"))

    tab_to(officer, officer.get_by_label("Title"))
    officer.keyboard.type(TITLE)
    tab_to(officer, officer.get_by_test_id("body-editor"))
    officer.keyboard.type("Every class read for twenty minutes a day. 每个班级每天阅读二十分钟。")
    tab_to(officer, officer.get_by_label("Category"))
    officer.keyboard.type("News")
    expect(officer.get_by_label("Category").locator("option:checked")).to_have_text("News")
    tab_to(officer, officer.get_by_label("Event date"))
    officer.keyboard.type("11202026")
    expect(officer).to_have_url(re.compile(r"/submissions/\d+/edit/$"))  # autosave made the draft

    photo = tmp_path / "reading.jpg"
    photo.write_bytes(corpus.phone_jpeg())
    picker = officer.locator("#photo-input")
    tab_to(officer, picker)
    picker.set_input_files(str(photo))  # the file chooser itself is the browser's, not the page's
    expect(officer.get_by_test_id("photo-row")).to_have_count(1)
    tab_to(officer, officer.get_by_test_id("photo-row").get_by_label("Caption"))
    officer.keyboard.type("Pupils reading in the library")

    tab_to(officer, officer.get_by_role("button", name="Submit for review"))
    officer.keyboard.press("Enter")
    expect(officer.get_by_test_id("checks-ok")).to_be_visible()
    tab_to(officer, officer.get_by_role("button", name="Submit for review"))
    officer.keyboard.press("Enter")
    expect(officer.get_by_test_id("status")).to_have_text("In review")

    leader = keyboard_page("leader")
    decide_from_queue(leader)
    expect(leader.get_by_text("Approved.")).to_be_visible()
    director = keyboard_page("director")
    decide_from_queue(director, "Sign off and send")  # the last stage says what it does
    expect(director).to_have_url(re.compile(r"/submissions/\d+/$"))  # and stays with the item

    article = Article.objects.get(title=TITLE)
    assert article.status == Status.APPROVED
    assert article.photos.get().caption == "Pupils reading in the library"

    # and out again, through the user menu
    tab_to(director, director.get_by_test_id("user-menu"))
    director.keyboard.press("Enter")
    tab_to(director, director.get_by_role("button", name="Log out"))
    director.keyboard.press("Enter")
    expect(director.get_by_role("heading", name="Log in")).to_be_visible()
