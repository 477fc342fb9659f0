"""Layered review in Chromium: leader → director, return with a reason, resubmit, sign off."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Unit, User
from reviews import actions
from submissions.models import Article, Status
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def as_user(browser, live_server, sign_in):
    contexts = []

    def as_user(username):
        context = browser.new_context(locale="en-US")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username)
        expect(page).to_have_url(f"{live_server.url}/")
        return page

    yield as_user
    for context in contexts:
        context.close()


def new_item(title, important=False):
    officer = User.objects.get(username="officer")
    unit = Unit.objects.get(name_en="Shawan No. 1 Middle School")
    return ArticleFactory(unit=unit, author=officer, last_editor=officer, title=title, important=important)


def open_from_queue(page, title):
    page.get_by_role("link", name="Review queue").first.click()
    page.get_by_test_id("queue").get_by_role("link", name=re.compile(re.escape(title))).click()


def test_layered_review_with_a_return_and_resubmission(demo, live_server, as_user, smtp_server):
    article = new_item("Science fair winners announced")
    officer = as_user("officer")
    officer.goto(f"{live_server.url}/submissions/{article.pk}/")
    officer.get_by_role("link", name="Submit for review").click()
    officer.get_by_role("button", name="Submit for review").click()
    expect(officer.get_by_test_id("status")).to_have_text("In review")

    leader = as_user("leader")
    open_from_queue(leader, "Science fair winners announced")
    leader.get_by_role("button", name="Approve").click()
    expect(leader.get_by_text("Approved.")).to_be_visible()

    director = as_user("director")
    open_from_queue(director, "Science fair winners announced")
    director.get_by_role("button", name="Return for revision").click()
    expect(director.get_by_text("Write a comment")).to_be_visible()  # a reason is required
    director.get_by_label("Comment").fill("Please name the winning classes.")
    director.get_by_role("button", name="Return for revision").click()
    expect(director.get_by_text("Returned for revision.")).to_be_visible()

    [mail] = [m for m in smtp_server.wait_for(3) if m["To"] == "officer@shawan.example.org"]
    assert "returned" in mail["Subject"].lower()
    assert "Please name the winning classes." in mail.get_body(("plain",)).get_content()

    officer.goto(f"{live_server.url}/")
    officer.get_by_role("link", name=re.compile("Notifications")).click()
    expect(officer.get_by_text(re.compile("returned", re.I)).first).to_be_visible()
    officer.goto(f"{live_server.url}/submissions/{article.pk}/")
    expect(officer.get_by_test_id("verdict")).to_contain_text("Please name the winning classes.")
    officer.get_by_role("link", name="Edit").click()
    officer.get_by_test_id("body-editor").click()
    officer.keyboard.press("End")
    officer.keyboard.type(" Class 7-2 and class 8-1 won.")
    officer.get_by_role("button", name="Submit for review").click()
    officer.get_by_role("button", name="Submit for review").click()
    expect(officer.get_by_test_id("status")).to_have_text("In review")

    # Straight back to the director, not to the leader again.
    leader.goto(f"{live_server.url}/reviews/")
    expect(leader.get_by_test_id("queue")).not_to_contain_text("Science fair winners announced")
    open_from_queue(director, "Science fair winners announced")
    expect(director.get_by_test_id("changed-since").locator("ins")).to_contain_text("Class 7-2")
    director.get_by_role("button", name="Sign off and send").click()
    expect(director).to_have_url(f"{live_server.url}/submissions/{article.pk}/")

    article.refresh_from_db()
    assert article.status == Status.APPROVED
    officer.goto(f"{live_server.url}/submissions/{article.pk}/")
    expect(officer.get_by_test_id("status")).to_have_text("Approved")
    officer.get_by_role("link", name="Approval sheet").click()
    expect(officer.get_by_test_id("approval-sheet")).to_contain_text("Please name the winning classes.")
    with officer.expect_download() as download:
        officer.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == f"approval-sheet-{article.pk}.pdf"


def test_important_items_go_to_the_leadership_group(demo, live_server, as_user):
    article = new_item("New policy on homework", important=True)
    officer = User.objects.get(username="officer")
    actions.submit_for_review(article, base_version=article.version, by=officer)
    for username in ("leader", "director"):
        page = as_user(username)
        open_from_queue(page, "New policy on homework")
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_text("Approved.")).to_be_visible()
    assert Article.objects.get(pk=article.pk).status == Status.IN_REVIEW

    leadership = as_user("leadership")
    open_from_queue(leadership, "New policy on homework")
    leadership.get_by_role("button", name="Sign off and send").click()
    expect(leadership.get_by_test_id("status")).to_have_text("Approved")
    assert Article.objects.get(pk=article.pk).status == Status.APPROVED


def test_reject_ends_the_item_and_the_officer_sees_why(demo, live_server, as_user):
    article = new_item("Canteen menu for next week")
    actions.submit_for_review(article, base_version=article.version, by=User.objects.get(username="officer"))
    leader = as_user("leader")
    open_from_queue(leader, "Canteen menu for next week")
    leader.get_by_label("Comment").fill("Not news for the portal.")
    leader.once("dialog", lambda dialog: dialog.accept())
    leader.get_by_role("button", name="Reject").click()
    expect(leader.get_by_text("Rejected.")).to_be_visible()

    officer = as_user("officer")
    officer.goto(f"{live_server.url}/submissions/{article.pk}/")
    expect(officer.get_by_test_id("status")).to_have_text("Rejected")
    expect(officer.get_by_test_id("verdict")).to_contain_text("Not news for the portal.")
    expect(officer.get_by_role("link", name="Edit")).to_have_count(0)


def test_a_reviewer_edit_shows_the_officer_a_diff(demo, live_server, as_user):
    article = new_item("Choir concert in the hall")
    actions.submit_for_review(article, base_version=article.version, by=User.objects.get(username="officer"))
    leader = as_user("leader")
    open_from_queue(leader, "Choir concert in the hall")
    leader.get_by_role("link", name="Edit the text").click()
    leader.get_by_label("Title").fill("Choir concert fills the school hall")
    leader.get_by_role("button", name="Save the edit").click()
    expect(leader.get_by_text("saved as a new revision")).to_be_visible()
    leader.get_by_role("button", name="Approve").click()

    officer = as_user("officer")
    officer.goto(f"{live_server.url}/submissions/{article.pk}/")
    inserted = officer.get_by_test_id("revisions").locator("ins")
    expect(inserted.filter(has_text="fills")).to_have_count(1)
    expect(inserted.filter(has_text="school")).to_have_count(1)
