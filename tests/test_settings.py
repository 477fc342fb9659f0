"""Production settings, checked in a fresh interpreter with a production environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7!kq2-production-like-secret-key-for-the-deploy-check-9f3a1c7e5b",
    "ALLOWED_HOSTS": "publicity.example.org",
}


def run_django(args, extra_env, *, unset=()):
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", *unset}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra_env, DJANGO_SETTINGS_MODULE="publicity.settings")
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_is_clean_with_production_settings():
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    result = run_django(["manage.py", "check"], {"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_cookies_are_secure_httponly_and_samesite():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.SECURE_SSL_REDIRECT)"
    )
    result = run_django(["-c", code], PRODUCTION)
    assert result.stdout.split() == ["True", "True", "True", "Lax", "True"], result.stderr


def test_templates_have_no_inline_script():
    import re

    for template in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            assert "src=" in tag, f"inline <script> in {template}"
        assert not re.search(r"\son[a-z]+=", template.read_text()), f"inline event handler in {template}"


def test_beat_intervals_can_be_shortened_by_name():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "b = s.CELERY_BEAT_SCHEDULE; print(b['sweep-deliveries']['schedule'], b['close-month']['schedule'])"
    )
    result = run_django(
        ["-c", code], {"DEBUG": "true", "BEAT_INTERVALS": "sweep-deliveries=2,close-month=7.5"}
    )
    assert result.stdout.split() == ["2.0", "7.5"], result.stderr


def test_an_unknown_beat_interval_name_is_refused():
    result = run_django(["manage.py", "check"], {"DEBUG": "true", "BEAT_INTERVALS": "sweep-everything=2"})
    assert result.returncode != 0
    assert "unknown schedule: sweep-everything" in result.stderr


def test_beat_keeps_its_lock_in_redis_and_the_embedded_broker_keeps_the_plain_scheduler():
    code = (
        "import django; django.setup(); from publicity.celery import app; "
        "print(app.conf.beat_scheduler, app.conf.get('redbeat_lock_timeout'))"
    )
    redis = run_django(["-c", code], {"DEBUG": "true", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/2"})
    embedded = run_django(["-c", code], {"DEBUG": "true", "CELERY_BROKER_URL": ""})
    assert redis.stdout.split() == ["publicity.beat:ResilientRedBeatScheduler", "30"], redis.stderr
    assert embedded.stdout.split() == ["celery.beat:PersistentScheduler", "None"], embedded.stderr


def test_production_keeps_database_connections_and_checks_them_before_reuse():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(d['CONN_MAX_AGE'] > 0, d['CONN_HEALTH_CHECKS'])"
    )
    for database in ("postgres://postgres@127.0.0.1:5432/publicity", "sqlite:////tmp/publicity.sqlite3"):
        result = run_django(["-c", code], PRODUCTION | {"DATABASE_URL": database})
        assert result.stdout.split() == ["True", "True"], result.stderr
    result = run_django(["-c", code], {"DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1/x"})
    assert result.stdout.split() == ["True", "True"], result.stderr


def test_the_office_writes_in_chinese_unless_told_otherwise():
    """What a worker writes (no request, no one's choice) is in the office's language, Chinese by
    default; an English office says LANGUAGE_CODE=en."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from django.utils.translation import gettext; print(s.LANGUAGE_CODE, gettext('Taken over.'))"
    )
    result = run_django(["-c", code], {"DEBUG": "true"}, unset={"LANGUAGE_CODE"})
    assert result.stdout.split() == ["zh-hans", "已由另一次尝试接手。"], result.stderr
    result = run_django(["-c", code], {"DEBUG": "true", "LANGUAGE_CODE": "en"})
    assert result.stdout.split() == ["en", "Taken", "over."], result.stderr


@pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"], reason="the suite runs on PostgreSQL"
)
def test_postgresql_connections_do_without_jit_compilation_and_price_random_reads_as_on_an_ssd():
    db = django_settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/postgres"  # a database that is there
    code = (
        "import django; django.setup(); from django.db import connection; c = connection.cursor(); "
        "c.execute('SHOW jit'); print(c.fetchone()[0]); "
        "c.execute('SHOW random_page_cost'); print(c.fetchone()[0])"
    )
    result = run_django(["-c", code], {"DEBUG": "true", "DATABASE_URL": url})
    assert result.stdout.split() == ["off", "1.1"], result.stderr


def test_a_web_process_freezes_what_it_loaded_out_of_the_collectors_sight():
    script = "import gc, publicity.wsgi; print(gc.get_freeze_count() > 50_000, gc.get_threshold()[0])"
    result = run_django(["-c", script], PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "10000"]
