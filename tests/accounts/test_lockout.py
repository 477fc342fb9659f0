from datetime import timedelta

from axes.models import AccessAttempt

from tests.accounts.test_sign_in import sign_in


def fail(client, times, username="officer", ip="10.0.0.1"):
    for _ in range(times):
        response = sign_in(client, username, "wrong", REMOTE_ADDR=ip)
    return response


def test_repeated_failures_lock_out_with_a_clear_message(client, demo, settings):
    response = fail(client, settings.AXES_FAILURE_LIMIT)

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    # Even the right password is refused while locked.
    assert sign_in(client, "officer", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_by_username_and_address_together(client, demo, settings):
    fail(client, settings.AXES_FAILURE_LIMIT)

    assert sign_in(client, "officer", REMOTE_ADDR="10.0.0.2").status_code == 302
    client.logout()
    assert sign_in(client, "officer2", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_lockout_ends_after_the_cool_off(client, demo, settings):
    fail(client, settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )

    assert sign_in(client, "officer", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_lockout_message_is_translated(client, demo, settings):
    fail(client, settings.AXES_FAILURE_LIMIT)
    response = sign_in(client, "officer", REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "登录失败次数过多" in response.content.decode()
