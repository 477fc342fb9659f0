import pytest
from django.urls import reverse

from accounts.models import User

LOGIN = "/accounts/login/"


def sign_in(client, username, password="publicity-demo", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_home_asks_for_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    ("username", "section", "absent"),
    [
        ("officer", "home-officer", "home-reviewer"),
        ("officer2", "home-officer", "home-reviewer"),
        ("leader", "home-reviewer", "home-officer"),
        ("leader2", "home-reviewer", "home-officer"),
        ("director", "home-reviewer", "home-admin"),
        ("leadership", "home-reviewer", "home-admin"),
        ("admin", "home-admin", "home-officer"),
    ],
)
def test_each_demo_user_signs_in_and_lands_on_their_home(client, demo, username, section, absent):
    response = sign_in(client, username)
    assert response.status_code == 302 and response["Location"] == "/"

    home = client.get("/").content.decode()
    assert f'data-testid="{section}"' in home
    assert f'data-testid="{absent}"' not in home


def test_officer_home_names_their_unit(client, demo):
    client.force_login(User.objects.get(username="officer"))
    home = client.get("/").content.decode()
    assert "Shawan No. 1 Middle School" in home
    assert "Shawan Experimental Primary School" not in home


def test_wrong_password_shows_an_error_and_creates_no_session(client, demo):
    response = sign_in(client, "officer", "wrong-password")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(client, demo):
    sign_in(client, "officer")
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_change_password(client, demo):
    sign_in(client, "officer")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "publicity-demo",
            "new_password1": "a-new-long-pass-2026",
            "new_password2": "a-new-long-pass-2026",
        },
    )
    assert response.status_code == 302

    client.post(reverse("logout"))
    assert sign_in(client, "officer", "publicity-demo").status_code == 200
    assert sign_in(client, "officer", "a-new-long-pass-2026").status_code == 302


def test_change_password_rejects_a_wrong_old_password(client, demo):
    sign_in(client, "officer")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "nope",
            "new_password1": "a-new-long-pass-2026",
            "new_password2": "a-new-long-pass-2026",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()


def test_login_page_follows_the_browser_language(client, db):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "登录" in response.content.decode()

    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Log in" in response.content.decode()


def test_language_switch_overrides_the_browser(client, db):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": LOGIN})
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US")
    assert "登录" in response.content.decode()


def test_pages_carry_a_strict_content_security_policy(client, db):
    policy = client.get(LOGIN)["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src


def test_language_switch_names_each_language_in_itself(client, db):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert ">English</button>" in page and ">简体中文</button>" in page
