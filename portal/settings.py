"""Settings for the site (portal): one file, every deploy knob read from the environment.

With no variables set this is the embedded default: a SQLite file under ``var/``,
Celery tasks run eagerly in-process, DEBUG on and a secret generated once and kept in
``var/``. Setting ``SECRET_KEY`` (or ``DEBUG=0``) switches to production behaviour;
``DATABASE_URL`` and ``REDIS_URL`` point at PostgreSQL and Redis.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LIAISON_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


def _embedded_secret_key() -> str:
    """A dev secret generated once and kept beside the SQLite file."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


# No SECRET_KEY in the environment means the embedded default (`make run`): a secret kept
# in var/, plain http on 127.0.0.1. A real SECRET_KEY means a real deployment (HTTPS only).
# DEBUG is off in both (a new user sees the Chinese error pages, not Django's English
# tracebacks); developers set DEBUG=1.
EMBEDDED = "SECRET_KEY" not in os.environ
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = _embedded_secret_key() if EMBEDDED else os.environ["SECRET_KEY"]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where the public reaches this site: the QR codes on printed contact cards point there.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "treebeard",
    "axes",
    "import_export",
    "foundation",
    "liaison",
    "responsibility_areas",
    "grievances",
    "evaluations",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.CookieLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.MethodNotAllowedPageMiddleware",
    "portal.middleware.LockBudgetMiddleware",
    "portal.middleware.BusyDatabaseMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "responsibility_areas.context_processors.scope",
                "portal.context_processors.todo",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # JIT compiles our ~100 ms dashboard aggregates for longer than they run (77 ms of
        # 165 ms for the county quota view, measured); it pays only for long reports.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "liaison.sqlite3",
            "OPTIONS": {
                # WAL lets the dev server read while a long seed or import writes.
                "init_command": "PRAGMA journal_mode=WAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# Reads that can leave the primary (dashboards, exports, reports): DATABASE_REPLICA_URL
# names a streaming replica. Without it the "replica" alias is the primary itself, so the
# routed code paths run (and are tested) the same way on one machine.
_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
DATABASES["replica"] = {
    **(
        dj_database_url.parse(_REPLICA_URL, conn_max_age=60, conn_health_checks=True)
        if _REPLICA_URL
        else {**DATABASES["default"], "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {}))}
    ),
    "TEST": {"MIRROR": "default"},
}
if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
LIAISON_READ_REPLICA = bool(_REPLICA_URL)
DATABASE_ROUTERS = ["foundation.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Lock and statement timeouts per kind of process, in ms (0 = none); PostgreSQL only
# (foundation/dbtimeouts.py). Web: a request waits for the rows it locks 3 s in all
# (LIAISON_LOCK_BUDGET, foundation/locks.py); any other single lock wait stops at 1.5 s (a
# wait may be two: the tuple's queue, then the row), any statement at 20 s (before
# gunicorn's 30 s worker timeout). Workers: 30 s / 30 min.
from foundation.dbtimeouts import process_kind  # noqa: E402

LIAISON_PROCESS = process_kind()
LIAISON_LOCK_BUDGET = float(os.environ.get("LIAISON_LOCK_BUDGET", "3"))
LIAISON_DB_TIMEOUTS = {
    "web": (
        int(os.environ.get("DB_LOCK_TIMEOUT_MS", "1500")),
        int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "20000")),
    ),
    "worker": (
        int(os.environ.get("DB_WORKER_LOCK_TIMEOUT_MS", "30000")),
        int(os.environ.get("DB_WORKER_STATEMENT_TIMEOUT_MS", "1800000")),
    ),
    "command": (0, 0),
}

# Sessions and login lockouts live in the database, so logging in works with Redis down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "120")) * 60
SESSION_SAVE_EVERY_REQUEST = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout keyed by username: a whole township office shares one IP address, so an
# IP-only lock (django-axes' default) would lock out every clerk at once.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCK_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# axes.W006 asks for the IP in the lockout key; we leave it out on purpose (see above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # models.W040: SQLite ignores the INCLUDE columns of the visits' covering index; the
    # index still serves (cadre, visited_on), and PostgreSQL gets the covering form.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files (vendored, never a CDN) ------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# The embedded default serves static files with DEBUG off and without collectstatic.
WHITENOISE_USE_FINDERS = EMBEDDED or DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Spreadsheet imports (liaison/importing) ----------------------------------------------
# Checked in the code as well: DATA_UPLOAD_MAX_MEMORY_SIZE does not count file parts.
LIAISON_IMPORT_MAX_BYTES = int(os.environ.get("LIAISON_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
# Uploaded rosters hold full ID numbers: deleted this many days after the upload (daily task).
LIAISON_IMPORT_KEEP_DAYS = int(os.environ.get("LIAISON_IMPORT_KEEP_DAYS", "7"))
# A check or import whose worker died and was not redelivered: failed after this long.
LIAISON_IMPORT_STALL_MINUTES = int(os.environ.get("LIAISON_IMPORT_STALL_MINUTES", "10"))
# A task sent to the broker and started by no worker is sent again after this (then twice
# as long, five sends in all): foundation.outbox.
LIAISON_OUTBOX_RESEND_SECONDS = float(os.environ.get("LIAISON_OUTBOX_RESEND_SECONDS", "120"))
# django-import-export (admin, resources): one transaction per import, and a file with any
# invalid row rolls back entirely (its defaults commit the good rows of a bad file).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_CONFIRM = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "foundation.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON only: form bodies cannot say null or carry a diary's nested matters.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "foundation.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # 404s in Chinese without the model's name; every error body is {detail} or {field: [..]}.
    "EXCEPTION_HANDLER": "liaison.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "liaison API",
    "DESCRIPTION": "Cadre–household liaison: areas, people, diaries and the grievance ledger.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "liaison.api_schema.add_error_responses",
    ],
    # Vendored from npm swagger-ui-dist: users sit on intranets without CDN access.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui-5.35.0",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui-5.35.0/favicon-32x32.png",
    # Several models have a "kind" with its own choices: name each enum after its type.
    "ENUM_NAME_OVERRIDES": {
        "PairingKindEnum": "liaison.models.PairingKind",
        "VisitKindEnum": "liaison.models.VisitKind",
        "MatterKindEnum": "liaison.models.MatterKind",
        "HandlingLevelEnum": "grievances.models.HandlingLevel",
        "MatterStatusEnum": "grievances.models.MatterStatus",
        "MeetingLevelEnum": "grievances.models.MeetingLevel",
        "NoticeStatusEnum": "grievances.models.NoticeStatus",
        "NotificationKindEnum": "grievances.models.NotificationKind",
        "CommitmentStatusEnum": "liaison.models.CommitmentStatus",
        "ImportStatusEnum": "liaison.models.ImportStatus",
        "ImportKindEnum": "liaison.models.ImportKind",
    },
}

# --- Celery -----------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Embedded default: no broker, tasks run in-process.
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Unacked tasks (acks_late) go back to the queue after this long if their worker died.
# CELERY_TRANSPORT_OPTIONS (JSON) overrides them; the worker-loss test shortens them.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    **json.loads(os.environ.get("CELERY_TRANSPORT_OPTIONS", "{}")),
}
# One queue per test run keeps integration tests apart from any other worker on that Redis.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Tasks go through foundation.outbox: a 50 ms probe of the broker first, so a web request
# never waits on a dead Redis (kombu alone retries for ~0.7 s); the outbox keeps the task.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
_ESCALATE_EVERY = os.environ.get("GRIEVANCE_ESCALATE_EVERY_SECONDS")  # tests: a few seconds
CELERY_BEAT_SCHEDULE: dict = {
    # Overdue matters escalate one level up; hourly, so a lapse is acted on the same morning.
    "escalate-overdue": {
        "task": "grievances.tasks.escalate_overdue",
        "schedule": float(_ESCALATE_EVERY) if _ESCALATE_EVERY else crontab(minute=5),
    },
    # Deadline reminders once a day at the start of working hours (never at night).
    "send-reminders": {
        "task": "grievances.tasks.send_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    # The monthly ledger: the task checks daily whether today is the rollup day
    # (GRIEVANCE_ROLLUP_DAY, or the month's last day if earlier) and finalises last month on the 1st.
    "rollup-ledger": {
        "task": "grievances.tasks.rollup_ledger",
        "schedule": crontab(hour=1, minute=30),
    },
    # The liaison figures (contacts, coverage, quotas) per area and month, for dashboards.
    "rollup-activity": {
        "task": "liaison.tasks.rollup_activity",
        "schedule": crontab(hour=1, minute=45),
    },
    # Uploaded rosters (full ID numbers) are deleted LIAISON_IMPORT_KEEP_DAYS after upload.
    "purge-import-files": {
        "task": "liaison.tasks.purge_import_files",
        "schedule": crontab(hour=2, minute=15),
    },
    # Imports whose worker died and were not redelivered are marked failed (re-run button).
    "fail-stalled-imports": {
        "task": "liaison.tasks.fail_stalled_imports",
        "schedule": 300.0,
    },
    # Tasks queued while Redis was down wait in the outbox; send them once it is back.
    "drain-outbox": {
        "task": "grievances.tasks.drain_outbox",
        "schedule": 60.0,
    },
}

# --- Grievance ledger ---------------------------------------------------------------------
GRIEVANCE_REMINDER_DAYS = int(os.environ.get("GRIEVANCE_REMINDER_DAYS", "3"))
GRIEVANCE_ROLLUP_DAY = int(os.environ.get("GRIEVANCE_ROLLUP_DAY", "30"))
# Reminders go out from the first hour to before the last (local time, working days only).
GRIEVANCE_WORKING_HOURS = (9, 18)

# --- Security (production) ---------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A deployment (SECRET_KEY set, DEBUG off) speaks HTTPS only: http redirects to https,
# cookies are Secure, HSTS for a year. The embedded default serves plain http on 127.0.0.1,
# so none of that applies unless asked for (SECURE_SSL_REDIRECT=1).
_HTTPS = not EMBEDDED and not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
if _HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Per address, for the log-in form and the API's token endpoint together ("count/seconds").
LOGIN_RATE_PER_IP = os.environ.get("LOGIN_RATE_PER_IP", "30/60")
# Answers to the public survey (the contact card's QR page) per address: a village's shared
# phone or Wi-Fi may send several households' answers, a flood is refused (429).
LIAISON_SURVEY_RATE_PER_IP = os.environ.get("LIAISON_SURVEY_RATE_PER_IP", "20/60")
# API tokens expire this many days after they are issued (foundation.apitokens).
LIAISON_API_TOKEN_DAYS = int(os.environ.get("LIAISON_API_TOKEN_DAYS", "30"))
# Public reports from the QR page, and look-ups of a report by reference and check code.
LIAISON_REPORT_RATE_PER_IP = os.environ.get("LIAISON_REPORT_RATE_PER_IP", "5/600")
LIAISON_TRACK_RATE_PER_IP = os.environ.get("LIAISON_TRACK_RATE_PER_IP", "20/600")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Labels for the levels, used by navigation and pickers.
# Dashboards count the month in progress live for areas this deep or deeper (3 = county);
# larger areas read it from the nightly rollup (AreaMonth, LedgerMonth), labelled as such.
LIAISON_DASHBOARD_LIVE_DEPTH = int(os.environ.get("LIAISON_DASHBOARD_LIVE_DEPTH", "3"))
# A computed dashboard is kept until the next committed write (foundation/generation.py),
# and at most this long (the date and the nightly rollups move on by themselves).
LIAISON_DASHBOARD_CACHE_SECONDS = int(os.environ.get("LIAISON_DASHBOARD_CACHE_SECONDS", "300"))

LIAISON_SITE_NAME = _("Cadre–household liaison")
