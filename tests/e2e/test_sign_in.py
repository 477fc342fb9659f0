import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

HOMES = {
    "officer": "My submissions",
    "officer2": "My submissions",
    "leader": "Review queue",
    "leader2": "Review queue",
    "director": "Review queue",
    "leadership": "Review queue",
    "admin": "Configuration",
}


@pytest.mark.parametrize("username", list(HOMES))
def test_every_demo_role_signs_in_and_sees_its_home(demo, live_server, page, sign_in, username):
    sign_in(page, username)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name=HOMES[username])).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()


def test_sign_out(demo, live_server, page, sign_in):
    sign_in(page, "officer")
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")


def test_wrong_password_shows_an_error_and_no_session(demo, live_server, page, sign_in):
    sign_in(page, "officer", "not-the-password")

    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "sessionid"]


def test_language_switch_shows_chinese(demo, live_server, page, sign_in):
    sign_in(page, "officer")
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="简体中文").click()

    expect(page.get_by_role("heading", name="我的信息")).to_be_visible()
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()


def test_browser_language_is_the_default(demo, live_server, browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    context.close()


def test_lockout_message_after_repeated_failures(demo, live_server, page, sign_in, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, "leader", "wrong")

    expect(page.get_by_test_id("locked-out")).to_contain_text("Too many failed sign-in attempts")
    sign_in(page, "leader")
    expect(page.get_by_test_id("locked-out")).to_be_visible()


def test_usable_on_a_phone(demo, live_server, phone_page, sign_in):
    sign_in(phone_page, "officer")
    expect(phone_page.get_by_role("heading", name="My submissions")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"

    phone_page.get_by_role("button", name="Toggle navigation").click()
    expect(phone_page.get_by_role("link", name="My submissions", exact=True)).to_be_visible()
    phone_page.get_by_test_id("user-menu").click()
    expect(phone_page.get_by_role("button", name="Log out")).to_be_visible()


def test_skip_link_moves_focus_to_the_main_content(demo, live_server, page, sign_in):
    sign_in(page, "officer")
    expect(page).to_have_url(f"{live_server.url}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
