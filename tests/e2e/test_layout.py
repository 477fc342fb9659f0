"""The header and tables at a 1366-px desktop and a 390-px phone."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from notifications.models import Notification

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"viewport": {"width": 1366, "height": 768}}


@pytest.fixture
def sized_page(browser):
    contexts = []

    def sized_page(size, locale="en-US"):
        context = browser.new_context(locale=locale, **size)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield sized_page
    for context in contexts:
        context.close()


def header_rows(page):
    """How many rows the visible items of the header take up (items whose middles are 16 px apart)."""
    middles = page.eval_on_selector_all(
        "header nav .navbar-brand, header nav .nav-link, header nav button",
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect())"
        ".map(r => r.top + r.height / 2)",
    )
    rows = []
    for middle in sorted(middles):
        if not rows or middle - rows[-1] > 16:
            rows.append(middle)
    return len(rows)


@pytest.mark.parametrize("username", ["director", "admin"])
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_header_is_one_row_at_1366_px(demo, live_server, sized_page, sign_in, username, locale):
    page = sign_in(sized_page(DESKTOP, locale), username)
    expect(page.locator("main h1").first).to_be_visible()

    assert header_rows(page) == 1
    assert page.locator("header nav").bounding_box()["height"] < 80


def test_the_user_menu_holds_password_language_and_sign_out(demo, live_server, sized_page, sign_in):
    page = sign_in(sized_page(DESKTOP), "director")
    expect(page.get_by_role("link", name="Change password")).to_be_hidden()

    page.get_by_test_id("user-menu").click()
    expect(page.get_by_role("link", name="Change password")).to_be_visible()
    expect(page.get_by_role("link", name="E-mail settings")).to_be_visible()
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="待审核")).to_be_visible()

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()


def test_on_a_phone_the_header_is_one_row_and_shows_the_unread_count(demo, live_server, sized_page, sign_in):
    director = User.objects.get(username="director")
    Notification.objects.create(recipient=director, kind=Notification.Kind.URGED, link="/")
    page = sign_in(sized_page(PHONE), "director")
    expect(page.locator("main h1").first).to_be_visible()

    assert header_rows(page) == 1
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    unread = Notification.objects.filter(recipient=director).unread().count()  # the demo has some too
    expect(page.get_by_test_id("unread-count")).to_have_text(str(unread))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_test_id("user-menu").tap()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll("table th, table td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/[A-Za-z0-9]{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
}"""
TABLE_PAGES = [
    "/outlets/deliveries/",
    "/reports/",
    "/reports/rankings/",
    "/reports/adoptions/",
    "/reports/year-end/",
]


@pytest.mark.parametrize("path", TABLE_PAGES)
def test_tables_on_a_phone_keep_words_whole_and_scroll_in_a_named_region(
    demo, live_server, sized_page, sign_in, path
):
    page = sign_in(sized_page(PHONE), "director")
    page.goto(live_server.url + path)

    tables = page.locator("main table")
    expect(tables.first).to_be_visible()
    assert page.evaluate(BROKEN_WORDS) == []
    for i in range(tables.count()):
        region = tables.nth(i).locator("xpath=ancestor::*[@role='region'][1]")
        expect(region).to_have_attribute("tabindex", "0")
        expect(region).to_have_attribute("aria-label", re.compile(r"\w"))
    overflowing = page.locator(".scroll-table.is-overflowing")
    if overflowing.count():
        expect(overflowing.first.get_by_text("Swipe sideways to see every column.")).to_be_visible()
    expect(page.locator(".scroll-table:not(.is-overflowing) .scroll-table-hint").first).to_be_hidden()


def first_queue_item(page, live_server):
    page.goto(f"{live_server.url}/reviews/")
    return page.get_by_test_id("queue-row").first.locator("a[href*='/reviews/steps/']").get_attribute("href")


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("officer", "/submissions/new/"),
        ("officer", "/submissions/"),
        ("director", "queue-first"),
        ("director", "/reports/"),
        ("director", "/reports/bulletins/"),
        ("director", "/notifications/"),
    ],
)
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_pages_fit_a_390_px_phone(demo, live_server, sized_page, sign_in, username, path, locale):
    page = sign_in(sized_page(PHONE, locale), username)
    expect(page.locator("main h1").first).to_be_visible()
    page.goto(live_server.url + (first_queue_item(page, live_server) if path == "queue-first" else path))

    expect(page.locator("main h1").first).to_be_visible()
    if path == "/submissions/new/":
        expect(page.locator(".prose-menubar")).to_be_visible()  # the editor's toolbar has been drawn
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_director_signs_off_on_a_phone_by_touch(demo, live_server, sized_page, sign_in):
    page = sign_in(sized_page(PHONE), "director")
    page.get_by_role("button", name="Toggle navigation").tap()
    page.get_by_role("link", name="Review queue", exact=True).tap()
    page.get_by_test_id("queue-row").first.locator("a[href*='/reviews/steps/']").tap()
    # "Approve", or "Sign off and send" where the director's is the last stage
    approve = page.get_by_role("button", name=re.compile(r"^(Approve|Sign off and send)$"))
    box = approve.bounding_box()
    assert box["height"] >= 36 and box["x"] + box["width"] <= 390
    approve.tap()

    expect(page.locator(".messages")).to_contain_text(re.compile(r"Approved\.|signed off"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
