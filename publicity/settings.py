"""Publicity Desk settings: one file, read from the environment.

The defaults suit a laptop (`make run`): SQLite and an embedded Celery broker under var/.
Production sets DEBUG off, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, so its translated fields show there
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_prose_editor",
    "axes",
    "csp",
    "publicity",
    "accounts",
    "submissions",
    "notifications",
    "reviews",
    "outlets",
    "briefings",
    "reports",
    "topics",
]

MIDDLEWARE = [
    "publicity.middleware.OneBrokerWaitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "publicity.urls"
WSGI_APPLICATION = "publicity.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accounts.context_processors.access",
                "reviews.context_processors.deputy_queue",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one file: WAL lets them read while one writes,
    # IMMEDIATE makes a writer wait for the lock instead of failing half-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # A file, not the shared in-memory database: the browser tests' server thread and the test
    # itself then wait for each other's locks instead of failing with "database table is locked".
    # One file per test process, so that two test runs on one machine do not share it.
    DATABASES["default"].setdefault("TEST", {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")})
if not DEBUG or DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Persistent connections (a worker no longer connects for every task), checked before each reuse
    # so that a restarted database costs one failed check, not a failed request or task.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it adds 100-200 ms to a mid-sized query (measured on the year-end median
    # over a year of a million-item office: 595 ms with it, 452 ms without) and helps none of ours.
    # Random reads priced as on an SSD (PostgreSQL's default, 4, prices a spinning disk): at a million
    # items a leader's queue then walks its unit's waiting steps (5 ms) instead of all 25,000 (240 ms).
    page_cost = env.float("PG_RANDOM_PAGE_COST", default=1.1)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c jit=off -c random_page_cost={page_cost}"
    )
    # A form's choices are read with .iterator(): on PostgreSQL a server-side cursor, declared WITH
    # HOLD outside a transaction (the result copied at once), then fetched and closed — round trips
    # for a few rows. Client-side, they are one query; the one big iteration (an export, ≤ 20,000
    # rows) fits in memory.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in lockout: by username and IP together, so one attacker cannot lock a colleague out
# from elsewhere; the cool-off is finite.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_VERBOSE = False
# "Forgot your password?": links sent per address and per client address within an hour (over that,
# nothing is sent and the page answers as usual).
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env.int("PASSWORD_RESET_LIMIT_PER_CLIENT", default=20)

# Internationalisation: English and Simplified Chinese; the browser's Accept-Language decides
# until the user picks one in the header. LANGUAGE_CODE is the office's own language: what is written
# outside anyone's request (a delivery's error by the worker, a stored briefing heading) and e-mails
# to people who chose no language are in it. Chinese, as the offices are; LANGUAGE_CODE=en otherwise.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Names of configuration (units, categories, stages, outlets…) in both languages; a missing
# translation falls back to the other language.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "zh-hans")


def _name_in_language(verbose_name, language):
    """The admin's label of one translation: "name (English)", not "name [en]"."""
    from django.utils.translation import gettext

    labels = {"en": gettext("English"), "zh-hans": gettext("Simplified Chinese")}
    return f"{verbose_name} ({labels.get(language, language)})"


MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME = _name_in_language
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Private files on an S3-compatible server shared by every machine (README), e.g.
# s3://publicity-media?endpoint_url=https://s3.internal:9000&region_name=cn-north-1; else MEDIA_ROOT.
MEDIA_STORAGE_URL = env.str("MEDIA_STORAGE_URL", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Django's, with inputs and selects drawn in Python: a list's filters cost dozens of renders otherwise.
FORM_RENDERER = "publicity.renderers.FormRenderer"

# E-mail: EMAIL_URL (smtp://user:pass@host:port, or consolemail://) — console on a laptop.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
# Seconds to wait on the mail server: the password reset page sends its mail while the person waits.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Publicity Desk <publicity@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the site is reached from outside: the links in e-mails and to outlets start with it. Unset, it
# follows PORT, the port `make run` serves on.
PORT = env.int("PORT", default=8000)
SITE_URL = env.str("SITE_URL", default="") or f"http://127.0.0.1:{PORT}"
# The demo webhook receiver `make run` starts (outlets/demo.py); 0 takes a free port.
DEMO_RECEIVER_PORT = env.int("DEMO_RECEIVER_PORT", default=0)

# Cache: Redis when REDIS_URL is set, else per-process memory.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "publicity.cache.Cache",  # Django's, with one client per pool (publicity/cache.py)
            "LOCATION": REDIS_URL,
            # A Redis that hangs must not hang a page that counts something in the cache.
            "OPTIONS": {"socket_timeout": 1.0, "socket_connect_timeout": 1.0},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Security. The HTTPS settings are on whenever DEBUG is off; each can be turned off by env
# (e.g. behind a proxy that already redirects).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: our own origin only, and no inline script anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Celery (DESIGN.md §6). With no CELERY_BROKER_URL, an embedded broker in var/ that needs no
# server: kombu's filesystem transport. Redis in production.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
# The product reads no task's result (the database holds the outcome). Storing none also means a
# result store that hangs is never asked when a task is queued. publicity.ping keeps its result.
CELERY_TASK_IGNORE_RESULT = True
CELERY_QUEUE_DIR = Path(env.str("CELERY_QUEUE_DIR", default=str(VAR_DIR / "celery" / "queue")))
# A broker that accepts connections but never answers must not hold a web request: handing a task
# over gives up after about this many seconds (the outbox row is committed; the sweeper sends it).
# Without a socket timeout, redis-py waits forever for a reply. Also used by /healthz.
BROKER_TIMEOUT = env.float("BROKER_TIMEOUT", default=1.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": BROKER_TIMEOUT,
    "socket_connect_timeout": BROKER_TIMEOUT,
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT = "publicity.broker:Transport"  # kombu's, sparing a client per command
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "control_folder": str(CELERY_QUEUE_DIR.parent / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
# One quick second try (a broker that just restarted), not Celery's default of three over ~2 s.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Celery's Django fixup closes the database connection before and after every task unless this is
# set; then only every this many tasks. Connections are left to Django instead, as for a web request:
# kept CONN_MAX_AGE, checked before each task (publicity.celery.Task).
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# On Redis, beat keeps its schedule and a lock there (celery-redbeat): beat may then run on every
# machine; one holds the lock and sends, the others wait on it and take over when it lapses. The
# lock is renewed at every tick (at most BEAT_MAX_LOOP_INTERVAL apart) and lapses REDBEAT_LOCK_TIMEOUT
# seconds after a beat died; a standby tries again every tick. The embedded broker keeps the plain
# scheduler and its file: one machine, one beat.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BEAT_SCHEDULER = "publicity.beat:ResilientRedBeatScheduler"  # survives a Redis outage
    CELERY_REDBEAT_REDIS_URL = env.str("REDBEAT_REDIS_URL", default=CELERY_BROKER_URL)
    CELERY_REDBEAT_KEY_PREFIX = env.str("REDBEAT_KEY_PREFIX", default="redbeat")
    CELERY_REDBEAT_LOCK_TIMEOUT = env.int("REDBEAT_LOCK_TIMEOUT", default=30)
    CELERY_BEAT_MAX_LOOP_INTERVAL = max(1, min(10, CELERY_REDBEAT_LOCK_TIMEOUT // 3))
    CELERY_REDBEAT_REDIS_OPTIONS = {"socket_timeout": 10.0, "socket_connect_timeout": 10.0}
CELERY_BEAT_SCHEDULE = {
    "sweep-photo-renditions": {"task": "submissions.sweep_photo_renditions", "schedule": 300.0},
    "remind-overdue-reviews": {"task": "reviews.remind_overdue_steps", "schedule": 600.0},
    "sweep-unsent-emails": {"task": "notifications.sweep_unsent_emails", "schedule": 600.0},
    # With a lease of 30 s (OUTLETS_HTTP_TIMEOUT + 10 s), a dead worker's delivery goes out again within
    # 45 s: the one-minute promise of DESIGN.md §6 with room for the worker to pick it up.
    "sweep-deliveries": {"task": "outlets.sweep", "schedule": 15.0},
    "poll-adoptions": {"task": "outlets.poll_adoptions", "schedule": 900.0},
    "score-pending-adoptions": {"task": "reports.score_pending", "schedule": 60.0},
    "close-month": {"task": "reports.close_month", "schedule": 3600.0 * 6},
    "remind-units-behind": {"task": "reports.remind_units_behind", "schedule": 3600.0 * 12},
}
# Shorter (or longer) intervals by name, in seconds: BEAT_INTERVALS=sweep-deliveries=5,close-month=60
# (the chaos suite runs hours of schedule in minutes).
for _pair in env.list("BEAT_INTERVALS", default=[]):
    _name, _, _seconds = _pair.partition("=")
    if _name not in CELERY_BEAT_SCHEDULE:
        raise ImproperlyConfigured(f"BEAT_INTERVALS names an unknown schedule: {_name}")
    CELERY_BEAT_SCHEDULE[_name]["schedule"] = float(_seconds)

# Photos (submissions): limits on what an officer may upload, and the renditions made by a task.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=20 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=60_000_000)
PHOTO_MAX_PER_ARTICLE = env.int("PHOTO_MAX_PER_ARTICLE", default=20)
# The browser downscales photos whose longest edge is above this before uploading them.
PHOTO_CLIENT_MAX_EDGE = env.int("PHOTO_CLIENT_MAX_EDGE", default=2560)
PHOTO_RENDITIONS = {"thumbnail": 400, "display": 1600}
# No request carries more file bytes than this: the handler below stops reading past it (the photo
# upload view has its own, smaller cap: PHOTO_MAX_BYTES). The reverse proxy should cap request
# bodies at the same size (README: nginx client_max_body_size).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=PHOTO_MAX_BYTES + 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "publicity.uploads.SizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# The rest of a body (form fields, autosave, JSON) is refused above this before it is read; an
# article pasted from Word with its markup fits with room to spare.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Outlets (DESIGN.md §6). Credentials are encrypted with these Fernet keys, never SECRET_KEY;
# the first encrypts, all decrypt (rotation). Generate one with:
#   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
OUTLET_CREDENTIAL_KEYS = env.list("OUTLET_CREDENTIAL_KEYS", default=[])
# Outlets may not be on private, loopback or link-local addresses; the demo and tests use loopback.
OUTLETS_ALLOW_LOOPBACK = env.bool("OUTLETS_ALLOW_LOOPBACK", default=DEBUG)
OUTLETS_HTTP_TIMEOUT = env.float("OUTLETS_HTTP_TIMEOUT", default=20.0)  # seconds, per request
# The first retry's delay; each later one doubles it (with jitter), up to 6 hours.
OUTLETS_RETRY_BASE_SECONDS = env.float("OUTLETS_RETRY_BASE_SECONDS", default=30.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # axes logs every sign-in at INFO; its lockouts (WARNING) are what an operator needs. WeasyPrint and
    # fontTools log each step of each PDF (a hundred lines) at INFO.
    "loggers": {
        "axes": {"level": env.str("AXES_LOG_LEVEL", default="WARNING")},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}

# Assessment (reports): the month-end reminder goes out this many days before the month ends; an
# adoption sheet may be at most this big.
REPORTS_REMIND_DAYS_BEFORE_MONTH_END = env.int("REPORTS_REMIND_DAYS_BEFORE_MONTH_END", default=3)
REPORTS_IMPORT_MAX_BYTES = env.int("REPORTS_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
