"""Error pages: in the user's language, drawn without the database; the database not answering is a
503 that says so (and to reload), not a bare 500."""

from django.db import connection
from django.test import Client
from django.urls import path, reverse

from tests.factories import UserFactory
from tests.misbehaving import closed_port

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def broken(request):
    raise ValueError("a bug")


urlpatterns = [path("broken/", broken)]
handler500 = "publicity.views.server_error"


def test_a_database_that_does_not_answer_gives_a_503_that_says_so(transactional_db):
    client = Client(raise_request_exception=False, **CHINESE)
    client.force_login(UserFactory())
    key = "NAME" if connection.vendor == "sqlite" else "PORT"
    elsewhere = "/nonexistent/folder/db.sqlite3" if key == "NAME" else str(closed_port())
    kept = connection.settings_dict[key]
    connection.close()
    connection.settings_dict[key] = elsewhere  # nothing answers there
    try:
        response = client.get(reverse("submissions:list"))
    finally:
        connection.close()
        connection.settings_dict[key] = kept

    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "数据库暂时没有响应" in page and "已保存的内容不会丢失" in page
    assert '<html lang="zh-hans">' in page


def test_a_bug_is_a_500_page_in_the_users_language(settings, db):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False, **CHINESE).get("/broken/")

    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()
    assert "Retry-After" not in response


def test_a_missing_page_says_so_in_chinese(client, db):
    response = client.get("/no-such-page/", **CHINESE)

    assert response.status_code == 404
    assert "此页面不存在，或您无权查看" in response.content.decode()


def test_an_expired_form_says_what_to_do_and_changes_nothing(db):
    user = UserFactory(username="officer-x")
    user.set_password("a long enough password")
    user.save()
    client = Client(enforce_csrf_checks=True, **CHINESE)

    response = client.post(reverse("login"), {"username": "officer-x", "password": "a long enough password"})

    assert response.status_code == 403
    assert "此页面已过期" in response.content.decode()
    assert "_auth_user_id" not in client.session
