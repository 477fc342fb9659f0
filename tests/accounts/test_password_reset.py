"""People reset their own password by e-mail with Django's views, in either language."""

import re
import uuid

import pytest
from django.urls import reverse

from accounts.models import User
from tests.accounts.test_lockout import fail
from tests.accounts.test_sign_in import sign_in
from tests.factories import UserFactory
from tests.misbehaving import SilentBroker, run_django

RESET = "/accounts/password/reset/"
NEW = "a-new-and-long-password-7"


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    # The request counts live in the cache (Redis in CI), which outlives a test: keys of its own.
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}}


@pytest.fixture
def person(db):
    return UserFactory(username="lin", display_name="Lin Wei", email="lin@example.org")


def link_in(message):
    return re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", message.body).group(0)


def without_tokens(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def choose_new_password(client, link, password=NEW):
    form = client.get(link, follow=True)  # Django moves the token into the session first
    return client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_the_sign_in_page_offers_a_reset(client, db):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{RESET}"' in page and "Forgot your password?" in page


def test_a_reset_by_e_mail_sets_a_new_password(client, person, mailoutbox, settings):
    settings.SITE_URL = "https://publicity.example.org"

    response = client.post(RESET, {"email": "LIN@example.org"})

    assert response["Location"] == reverse("password_reset_done")
    [message] = mailoutbox
    assert message.to == ["lin@example.org"]
    link = link_in(message)
    assert link.startswith("https://publicity.example.org/accounts/password/reset/")
    assert "Your username is lin." in message.body
    done = choose_new_password(client, link.removeprefix("https://publicity.example.org"))
    assert done["Location"] == reverse("password_reset_complete")
    assert sign_in(client, "lin", NEW).status_code == 302
    # The link works once.
    client.logout()
    again = client.get(link.removeprefix("https://publicity.example.org"), follow=True)
    assert 'data-testid="reset-link-invalid"' in again.content.decode()


def test_the_answer_does_not_tell_whether_an_address_exists(client, person, mailoutbox):
    known = client.post(RESET, {"email": "lin@example.org"}, follow=True)
    unknown = client.post(RESET, {"email": "nobody@example.org"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain
    assert without_tokens(known) == without_tokens(unknown)
    assert len(mailoutbox) == 1


def test_the_e_mail_is_in_the_language_the_person_chose(client, person, mailoutbox):
    User.objects.filter(pk=person.pk).update(language="zh-hans")

    client.post(RESET, {"email": "lin@example.org"}, HTTP_ACCEPT_LANGUAGE="en")

    [message] = mailoutbox
    assert message.subject == "设置信息报送平台的新密码"
    assert "您的用户名是 lin。" in message.body


def test_without_a_chosen_language_the_e_mail_is_in_the_page_language(client, person, mailoutbox):
    page = client.get(RESET, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "忘记密码" in page

    client.post(RESET, {"email": "lin@example.org"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert mailoutbox[0].subject == "设置信息报送平台的新密码"


def test_links_to_one_address_are_limited_and_the_answer_stays_the_same(client, person, mailoutbox, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    answers = [client.post(RESET, {"email": "lin@example.org"})["Location"] for _ in range(4)]

    assert answers == [reverse("password_reset_done")] * 4
    assert len(mailoutbox) == 2


def test_links_from_one_client_are_limited(client, db, mailoutbox, settings):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 2
    for n in range(3):
        UserFactory(username=f"p{n}", email=f"p{n}@example.org")
        client.post(RESET, {"email": f"p{n}@example.org"}, REMOTE_ADDR="10.0.0.9")
    assert len(mailoutbox) == 2

    client.post(RESET, {"email": "p2@example.org"}, REMOTE_ADDR="10.0.0.10")
    assert len(mailoutbox) == 3


def test_a_person_locked_out_gets_back_in_through_the_e_mail(client, person, mailoutbox, settings):
    assert fail(client, settings.AXES_FAILURE_LIMIT, username="lin").status_code == 429

    client.post(RESET, {"email": "lin@example.org"}, REMOTE_ADDR="10.0.0.1")
    choose_new_password(client, link_in(mailoutbox[0]).removeprefix(settings.SITE_URL.rstrip("/")))

    assert sign_in(client, "lin", NEW, REMOTE_ADDR="10.0.0.1").status_code == 302


ASK_FOR_A_LINK = """
import json, sys, time
from django.test import Client

started = time.monotonic()
response = Client().post("/accounts/password/reset/", {"email": sys.argv[1]})
print(json.dumps({"status": response.status_code, "seconds": time.monotonic() - started}))
"""


@pytest.mark.django_db(transaction=True)
def test_a_hung_cache_neither_hangs_nor_stops_a_reset(person):
    # The cache counts the requests; a Redis that accepts connections and never answers.
    with SilentBroker() as redis:
        answer, output = run_django(
            ASK_FOR_A_LINK, person.email, REDIS_URL=redis.url, EMAIL_URL="consolemail://"
        )

    assert answer["status"] == 302
    # About a second (3.7 s on a machine running two suites at once); redis-py's own default (5 s)
    # took 5.8 s.
    assert answer["seconds"] < 4.5
    assert "To: lin@example.org" in output  # the console e-mail backend printed the link's mail


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_hangs_does_not_hang_the_reset_page(person):
    with SilentBroker() as smtp:  # accepts, never greets
        answer, _ = run_django(
            ASK_FOR_A_LINK, person.email, EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", EMAIL_TIMEOUT="2"
        )

    assert answer["status"] == 302  # the failure is logged; the page answers as for any address
    assert answer["seconds"] < 10  # about EMAIL_TIMEOUT; without one it waited as long as the server
