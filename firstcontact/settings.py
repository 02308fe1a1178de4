"""FirstContact settings: every value comes from the environment, parsed strictly.

One module, as a stranger would look for it. A bad value stops start-up with
an error that names the variable and what it accepts. Two modes:

* ``FIRSTCONTACT_MODE=demo`` (the default): SQLite, a generated secret key,
  the in-memory channel layer, messages written to the console. For a trial
  or a training room; never for real data.
* ``FIRSTCONTACT_MODE=production``: ``SECRET_KEY`` and ``ALLOWED_HOSTS`` must
  be given; DEBUG is off; cookies are secure; HSTS and a Content-Security-Policy
  are sent.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable, or the content of the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE names {file_name!r}, which cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Accept exactly True/False (any case), 1/0, yes/no; anything else is an error naming the variable."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"true", "1", "yes"}:
        return True
    if value in {"false", "0", "no"}:
        return False
    raise ImproperlyConfigured(f"{name} must be True or False (or 1/0, yes/no), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


MODE = env_choice("FIRSTCONTACT_MODE", "demo", ("demo", "production"))
DEMO = MODE == "demo"
TESTING = env_bool("FIRSTCONTACT_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEMO:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production mode (FIRSTCONTACT_MODE=production); "
            "give at least 50 random characters, or SECRET_KEY_FILE naming a file that holds them."
        )
    # Demo only: a key generated once and kept beside the database, so sessions
    # survive a restart without anyone committing a key.
    key_file = Path(env_str("FIRSTCONTACT_VAR_DIR", str(BASE_DIR / "var"))) / "demo-secret-key"
    if key_file.exists():
        SECRET_KEY = key_file.read_text(encoding="utf-8").strip()
    else:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = secrets.token_urlsafe(50)
        # Readable by the server's own user only: the key signs sessions.
        key_file.touch(mode=0o600)
        key_file.write_text(SECRET_KEY, encoding="utf-8")
elif not DEMO and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production mode.")

DEBUG = env_bool("DEBUG", DEMO and not TESTING)
if DEBUG and not DEMO:
    raise ImproperlyConfigured("DEBUG may only be True in demo mode (FIRSTCONTACT_MODE=demo).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEMO else [])
if not DEMO and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names this server answers to (comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Where the real public data lives (data.police.uk files, call records): read, never copied in.
DATA_DIR = Path(env_str("FIRSTCONTACT_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))
# Hotspot maps draw on a plain background unless a tile server is configured, e.g.
# MAP_TILE_URL=https://tile.example.org/{z}/{x}/{y}.png (its origin must also be in MAP_TILE_ORIGINS).
MAP_TILE_URL = env_str("MAP_TILE_URL", "") or ""
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "") or ""
VAR_DIR = Path(env_str("FIRSTCONTACT_VAR_DIR", str(BASE_DIR / "var")))

FORCE_NAME = env_str("FIRSTCONTACT_FORCE_NAME", "Demo Constabulary")
SERVICE_NAME = "FirstContact"
QUICK_EXIT_URL = env_str("FIRSTCONTACT_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")

# First contact (DOMAIN.md §6, force conventions): a repeat victim or location has this many
# contacts within the window; DASH escalation is this many call-outs in twelve months.
REPEAT_INCIDENT_THRESHOLD = env_int("REPEAT_INCIDENT_THRESHOLD", 2, minimum=1)
REPEAT_INCIDENT_WINDOW_DAYS = env_int("REPEAT_INCIDENT_WINDOW_DAYS", 365, minimum=1)
DASH_ESCALATION_CALL_OUTS = env_int("DASH_ESCALATION_CALL_OUTS", 3, minimum=1)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Lets the GOV.UK form renderer (TemplatesSetting) find Django's own widget templates.
    "django.forms",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    # Listed so that the API docs page serves Swagger UI from our static files, not a CDN.
    "ninja",
    "firstcontact",
    "accounts",
    "audit",
    "people",
    "contacts",
    "cases",
    "neighbourhoods",
    "demand",
    "notifications",
    "evidence",
    "public",
    "chat",
    "scheduling",
    "records",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Requests let into Django at once in each server process (0: no limit); the others wait in the
# event loop, first come first served, and get 503 after ADMISSION_TIMEOUT_SECONDS
# (firstcontact/admission.py; the measurements are in docs/benchmarks.md).
MAX_CONCURRENT_REQUESTS = env_int("MAX_CONCURRENT_REQUESTS", 4, minimum=0)
ADMISSION_TIMEOUT_SECONDS = env_int("ADMISSION_TIMEOUT_SECONDS", 30, minimum=1)

ROOT_URLCONF = "firstcontact.urls"
ASGI_APPLICATION = "firstcontact.asgi.application"
WSGI_APPLICATION = "firstcontact.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "firstcontact.context_processors.service",
                "firstcontact.context_processors.staff_navigation",
            ],
        },
    }
]
FORM_RENDERER = "firstcontact.forms.GovUKFormRenderer"

_default_db = f"sqlite:///{VAR_DIR / 'firstcontact.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_db)
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
except Exception as exc:  # dj_database_url raises several types for a bad URL
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL ({exc}); use sqlite:///path or postgres://user@host:port/name."
    ) from exc
if not DATABASES["default"].get("NAME"):
    raise ImproperlyConfigured("DATABASE_URL names no database; end it with /<database name>, e.g. postgres://user@host:5432/firstcontact.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets pages read while a writer commits; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_int("DB_POOL_SIZE", 0) > 0:
    # Under ASGI each request runs in its own thread, so persistent connections (DB_CONN_MAX_AGE)
    # pile up to max_connections (bench/search.py at 20 clients ran PostgreSQL out of them);
    # a psycopg pool per worker process reuses a few instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": env_int("DB_POOL_SIZE", 0)}
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")} if env_str("TEST_DATABASE_NAME") else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Permissions in one query a request, roles' permissions kept per process (accounts/backends.py);
    # before ModelBackend, which signs staff in and then reads the same per-request set.
    "accounts.backends.RolePermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# How long a server process keeps what each role allows before reading it again (a role's
# permissions change only with a release; who holds which role is read on every request).
PERMISSION_CACHE_SECONDS = env_int("PERMISSION_CACHE_SECONDS", 300, minimum=0)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:signed-out"

# A shift is up to 12 hours; an unattended screen signs itself out after the idle limit.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 60, minimum=5) * 60
# The idle expiry moves forward on use, but the session is written at most once a minute
# (accounts.middleware.IdleSessionMiddleware), not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Failed sign-ins: after 5 failures for one username from one address, that pair is locked for 30 minutes.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("SIGN_IN_COOLOFF_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "build" / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("moj", BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj"),
    # plotly.js as bundled in the plotly Python package: charts work with no internet.
    ("plotly", Path(importlib.util.find_spec("plotly").submodule_search_locations[0]) / "package_data"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEMO or TESTING
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend",
    }
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEMO else "django.core.mail.backends.smtp.EmailBackend",
)

# Security headers. The CSP allows scripts only from our own origin or with the per-request nonce.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"] + env_list("MAP_TILE_ORIGINS", []),
        "connect-src": [SELF, "ws:", "wss:"] if DEMO else [SELF, "wss:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
if not DEMO:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", True) else None

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))},
}


# --- Audit (group commit of the log) ---------------------------------------------------------
# Entries are staged with their change and chained after the commit by a background thread in each
# server process (see docs/audit.md). Off (the default in tests): each writer seals after its own commit.
AUDIT_SEAL_IN_BACKGROUND = env_bool("AUDIT_SEAL_IN_BACKGROUND", not TESTING)
# The thread also seals this often when nothing wakes it (entries left by a stopped process).
AUDIT_SEAL_IDLE_SECONDS = env_int("AUDIT_SEAL_IDLE_SECONDS", 5, minimum=1)
# Once woken by a commit, how long the sealer lets entries gather before chaining them in one batch.
AUDIT_SEAL_GATHER_MS = env_int("AUDIT_SEAL_GATHER_MS", 100, minimum=0)


# --- Notifications (outbox, GOV.UK Notify, SMTP) ------------------------------------------------
# Who sends: "file" (demo: appended to var/sent-messages/<date>.txt), "console", "notify" (GOV.UK
# Notify) or "smtp" (Django's EMAIL_* settings; e-mail only). See docs/notifications.md.
# Tests print (pytest captures it) rather than write files into var/.
NOTIFICATIONS_SENDER = env_choice(
    "NOTIFICATIONS_SENDER", "console" if TESTING else "file" if DEMO else "notify", ("console", "file", "notify", "smtp")
)
NOTIFICATIONS_FILE_DIR = Path(env_str("NOTIFICATIONS_FILE_DIR", str(VAR_DIR / "sent-messages")))
# "task": a django-tasks task per message after commit (a worker runs them); "inline": sent in the
# same process just after commit, for a demo that runs no worker.
NOTIFICATIONS_DELIVERY = env_choice(
    "NOTIFICATIONS_DELIVERY", "inline" if DEMO and not TESTING else "task", ("task", "inline")
)
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6, minimum=1)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 60, minimum=1)
NOTIFICATIONS_RETRY_MAX_SECONDS = env_int("NOTIFICATIONS_RETRY_MAX_SECONDS", 6 * 3600, minimum=1)
NOTIFICATIONS_SEND_LEASE_SECONDS = env_int("NOTIFICATIONS_SEND_LEASE_SECONDS", 300, minimum=30)
# send_due_messages claims this many due messages at a time (one transaction; SKIP LOCKED on
# PostgreSQL), so several workers take different batches instead of waiting on each other.
NOTIFICATIONS_SEND_BATCH = env_int("NOTIFICATIONS_SEND_BATCH", 20, minimum=1)
NOTIFICATIONS_FROM_EMAIL = env_str("NOTIFICATIONS_FROM_EMAIL", "") or f"{FORCE_NAME} <no-reply@localhost>"
NOTIFICATIONS_DEFAULT_SUBJECT = env_str("NOTIFICATIONS_DEFAULT_SUBJECT", "") or f"A message from {FORCE_NAME}"
NOTIFICATIONS_EMAIL_BACKEND = env_str("NOTIFICATIONS_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "") or ""
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT_SECONDS = env_int("NOTIFY_TIMEOUT_SECONDS", 10, minimum=1)
# Notify template ids by message name, comma-separated: "victim_update=<id>,appointment_reminder:sms=<id>"
# (a ":email" or ":sms" suffix when the two channels use different templates).
NOTIFY_TEMPLATE_IDS = dict(item.split("=", 1) for item in env_list("NOTIFY_TEMPLATE_IDS", []) if "=" in item)
# Templates in Notify whose whole text is ((subject)) / ((body)): used for any name not listed above.
NOTIFY_GENERIC_TEMPLATE_IDS = {
    "email": env_str("NOTIFY_GENERIC_EMAIL_TEMPLATE_ID", "") or "",
    "sms": env_str("NOTIFY_GENERIC_SMS_TEMPLATE_ID", "") or "",
}
NOTIFY_EMAIL_REPLY_TO_ID = env_str("NOTIFY_EMAIL_REPLY_TO_ID", "") or ""
NOTIFY_SMS_SENDER_ID = env_str("NOTIFY_SMS_SENDER_ID", "") or ""
# The bearer token Notify sends with delivery receipts (set the same in Notify's callback settings).
NOTIFY_CALLBACK_TOKEN = env_str("NOTIFY_CALLBACK_TOKEN", "") or ""
# A missing NOTIFY_API_KEY is reported by `manage.py check --deploy` (notifications.E001), not here.


# --- Evidence (storage, upload limits, upload links) --------------------------------------------
# Exhibits go to the default storage (local files here; object storage in production, see
# docs/evidence.md). Partial uploads wait in a storage that can append: local disk or a volume
# every app server shares.
STORAGES["evidence_staging"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": Path(env_str("EVIDENCE_STAGING_DIR", str(VAR_DIR / "evidence-staging")))},
}
EVIDENCE_MAX_UPLOAD_BYTES = env_int("EVIDENCE_MAX_UPLOAD_MB", 8192, minimum=1) * 1024 * 1024
EVIDENCE_MAX_CHUNK_BYTES = env_int("EVIDENCE_MAX_CHUNK_MB", 64, minimum=1) * 1024 * 1024
# An upload that never became an exhibit is swept from staging after this many hours untouched.
EVIDENCE_STAGING_MAX_AGE_HOURS = env_int("EVIDENCE_STAGING_MAX_AGE_HOURS", 24, minimum=1)
EVIDENCE_LINK_DAYS = env_int("EVIDENCE_LINK_DAYS", 7, minimum=1)
# WeasyPrint narrates each step of every PDF at INFO; only its warnings are worth a line.
LOGGING.setdefault("loggers", {}).update({"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}})


# --- Public reporting (rate limits, save and return, track my report) ---------------------------
# Rate limits count in a shared cache so that every server process sees the same counts:
# Redis when REDIS_URL is set, otherwise this process's memory (one process in the demo).
PUBLIC_RATELIMIT_REDIS_URL = env_str("PUBLIC_RATELIMIT_REDIS_URL", REDIS_URL or "")
# Added to whatever caches are already configured (another area may define its own).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, **globals().get("CACHES", {})}
CACHES["ratelimit"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": PUBLIC_RATELIMIT_REDIS_URL,
     "KEY_PREFIX": "fc-ratelimit"}
    if PUBLIC_RATELIMIT_REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fc-ratelimit"}
)
RATELIMIT_USE_CACHE = "ratelimit"
# Submissions of a report (or a tracking request) per address per minute, and per hour.
PUBLIC_REPORTS_PER_MINUTE = env_int("PUBLIC_REPORTS_PER_MINUTE", 10, minimum=1)
PUBLIC_TRACK_REQUESTS_PER_HOUR = env_int("PUBLIC_TRACK_REQUESTS_PER_HOUR", 10, minimum=1)
PUBLIC_DRAFT_DAYS = env_int("PUBLIC_DRAFT_DAYS", 28, minimum=1)
PUBLIC_TRACK_CODE_MINUTES = env_int("PUBLIC_TRACK_CODE_MINUTES", 15, minimum=1)
PUBLIC_TRACK_CODE_ATTEMPTS = env_int("PUBLIC_TRACK_CODE_ATTEMPTS", 5, minimum=1)
PUBLIC_SERIES_THRESHOLD = env_int("PUBLIC_SERIES_THRESHOLD", 80, minimum=50)
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")


# --- Live chat (Channels layer, agent limits) ---------------------------------------------------
# One process: the in-memory layer. Several uvicorn workers or servers must share Redis, or a
# message stored by one would never reach a browser connected to another.
CHAT_CHANNEL_PREFIX = env_str("CHAT_CHANNEL_PREFIX", "firstcontact")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A socket timeout above channels-redis's 5-second blocking pop: redis-py 8 defaults to
            # 5 seconds too, and an idle connection then fails with "Timeout reading" and drops.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}], "prefix": CHAT_CHANNEL_PREFIX,
                       # All connections in one worker share one Redis queue: room for a busy worker.
                       "capacity": 20000, "expiry": 60},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CHAT_AGENT_LIMIT = env_int("CHAT_AGENT_LIMIT", 3)
if not 1 <= CHAT_AGENT_LIMIT <= 100:
    raise ImproperlyConfigured("CHAT_AGENT_LIMIT must be between 1 and 100 (chats one agent may hold at once).")


# --- Contacts (appointments, call quality) -----------------------------------------------------
# Contacts sampled per handler per month for the call-quality audit (the auditor may change it per draw).
QUALITY_SAMPLE_SIZE = env_int("QUALITY_SAMPLE_SIZE", 5, minimum=1)
# Days ahead that `generate_appointment_slots` makes slots for, from each team's pattern.
APPOINTMENT_SLOT_DAYS = env_int("APPOINTMENT_SLOT_DAYS", 14, minimum=1)


# --- cases (investigations: supervision intervals, first contact with the victim) ---------------
# Force policy, not national rules: a review on allocation, the next after the first interval, then every
# the second; the resolution centre reaches the victim within these working days (enhanced rights: fewer).
CASES_REVIEW_FIRST_DAYS = env_int("CASES_REVIEW_FIRST_DAYS", 7, minimum=1)
CASES_REVIEW_EVERY_DAYS = env_int("CASES_REVIEW_EVERY_DAYS", 28, minimum=1)
CASES_FIRST_CONTACT_WORKING_DAYS = env_int("CASES_FIRST_CONTACT_WORKING_DAYS", 5, minimum=0)
CASES_FIRST_CONTACT_WORKING_DAYS_ENHANCED = env_int("CASES_FIRST_CONTACT_WORKING_DAYS_ENHANCED", 1, minimum=0)


# --- scheduling ---
# The periodic jobs `manage.py run_scheduler` runs (docs/operations.md). Each entry has a "name";
# what to run: "command" (a management command and its arguments, run in the scheduler's process)
# or "task" (a django-tasks task's dotted path, with optional "kwargs", enqueued for the workers);
# and when: "every_seconds", "every_minutes" or "daily_at" ("HH:MM", UK local time). A command that
# is not installed is skipped with a warning. Long work belongs in a task, so a scheduler stays free.
SCHEDULE = [
    {"name": "send-due-messages", "command": ["send_due_messages"], "every_minutes": 1},
    {"name": "sync-contact-calls", "task": "demand.tasks.sync_contact_calls_task", "every_minutes": 5},
    {"name": "queue-routed-crimes", "task": "cases.tasks.queue_routed_crimes_task", "every_minutes": 5},
    {"name": "find-duplicate-persons", "command": ["find_duplicate_persons", "--enqueue"], "daily_at": "02:30"},
    {"name": "seal-audit", "command": ["seal_audit"], "every_minutes": 1},
    {"name": "verify-audit", "command": ["verify_audit", "--no-progress"], "daily_at": "03:30"},
    {"name": "prune-task-results", "command": ["prune_db_task_results", "--queue-name", "*"], "daily_at": "04:00"},
    {"name": "prune-job-runs", "command": ["prune_job_runs"], "daily_at": "04:15"},
    {"name": "review-retention", "command": ["review_retention", "--no-progress"], "daily_at": "04:30"},
    {"name": "sweep-evidence-staging", "command": ["sweep_evidence_staging", "--no-progress"], "every_minutes": 60},
]
# Names of the jobs above to leave to something else (e.g. cron), comma-separated.
SCHEDULE_DISABLED = env_list("SCHEDULE_DISABLED", [])
SCHEDULER_TICK_SECONDS = env_int("SCHEDULER_TICK_SECONDS", 10, minimum=1)
# A failed run is tried again at its next time, or after this long if that is sooner (a daily job).
SCHEDULER_RETRY_SECONDS = env_int("SCHEDULER_RETRY_SECONDS", 600, minimum=10)
# A run still marked running after this long was cut off (its scheduler died): the job may run again.
SCHEDULER_STALE_SECONDS = env_int("SCHEDULER_STALE_SECONDS", 6 * 3600, minimum=60)
# The record of runs (a few thousand a day) is kept this many days by the prune-job-runs job.
SCHEDULER_KEEP_RUNS_DAYS = env_int("SCHEDULER_KEEP_RUNS_DAYS", 90, minimum=1)
