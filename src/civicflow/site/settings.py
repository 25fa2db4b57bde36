"""Django settings, taken from the environment.

``CIVICFLOW_DATABASE_URL``  database URL (default: SQLite file ``./civicflow.sqlite3``)
``CIVICFLOW_DEBUG``         ``1`` to enable Django's debug mode (off by default)
``CIVICFLOW_SECRET_KEY``    overrides the key generated in the instance folder
``CIVICFLOW_INSTANCE_DIR``  per-installation state (default ``./instance``)
``CIVICFLOW_ALLOWED_HOSTS`` comma-separated host names (default: loopback names)
``CIVICFLOW_LOG_FORMAT``    ``json`` for structured one-line JSON logs, ``text`` otherwise
``CIVICFLOW_LOG_LEVEL``     root log level (default ``INFO``)
``CIVICFLOW_AGENCY_NAME``, ``CIVICFLOW_AGENCY_LOGO_URL``, ``CIVICFLOW_BRAND_COLOUR``  branding (docs/web.md)
``CIVICFLOW_PUBLIC_URL``     the site's address in mailed links (default ``http://localhost:8000``)
``CIVICFLOW_PORTAL_MAX_REQUEST_BYTES``  largest portal post, all uploads together (default 50 MB)
``CIVICFLOW_ASSESS_MAX_UPLOAD_BYTES``, ``CIVICFLOW_ASSESS_MAX_UNPACKED_BYTES``, ``CIVICFLOW_ASSESS_MAX_CASES``
                            limits of the workbench's Assess section (docs/workbench.md)
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from civicflow.errors import ConfigurationError
from civicflow.site.instance import instance_dir, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = instance_dir()


def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


DEBUG = _flag("CIVICFLOW_DEBUG")
SECRET_KEY = os.environ.get("CIVICFLOW_SECRET_KEY") or secret_key(INSTANCE_DIR)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CIVICFLOW_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
    if h.strip()
]

_database_url = os.environ.get("CIVICFLOW_DATABASE_URL") or f"sqlite:///{Path('civicflow.sqlite3').resolve()}"
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
except Exception as exc:  # dj_database_url raises several unrelated types on bad input
    raise ConfigurationError(f"CIVICFLOW_DATABASE_URL is not a valid database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

INSTALLED_APPS = [
    # django.contrib.admin, its site under the authorization policy (only system administrators)
    "civicflow.site.admin.PolicyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "civicflow.runtime",
    "civicflow.security",
    "civicflow.connectors",
    "civicflow.api",
    "civicflow.web",
    "civicflow.pilots",
    "civicflow.parties",
    "civicflow.workbench",
    "civicflow.portal",
]

MIDDLEWARE = [
    # first: its Server-Timing duration covers everything below, the view and the rendering
    "civicflow.web.middleware.ServerTimingMiddleware",
    # the same span for Prometheus: request latency by route, method and status class (GET /metrics)
    "civicflow.site.request_metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # above whitenoise so static files (SVG included) get the policy too; after the view's own headers
    "civicflow.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # before CSRF, which reads the whole post: too large a portal upload never gets read
    "civicflow.portal._uploads.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # after CSRF and authentication: a refused post or a signed-in staff member's API call is not counted
    "civicflow.web.ratelimit.RateLimitMiddleware",
]

ROOT_URLCONF = "civicflow.site.urls"
WSGI_APPLICATION = "civicflow.site.wsgi.application"

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
                "civicflow.web.context_processors.web",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = INSTANCE_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns (an error under pytest) when it is missing
# citizens' uploads (portal Documents) under random names; never served as static files
MEDIA_ROOT = INSTANCE_DIR / "media"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# uploads above this are spooled to a temporary file rather than held in memory
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# a portal post above this (all files together) is refused before it is read, with a friendly page
CIVICFLOW_PORTAL_MAX_REQUEST_BYTES = int(os.environ.get("CIVICFLOW_PORTAL_MAX_REQUEST_BYTES", str(50 * 1024 * 1024)))
# the workbench's Assess section: largest event-log upload, its unpacked size, cases read from history
CIVICFLOW_ASSESS_MAX_UPLOAD_BYTES = int(os.environ.get("CIVICFLOW_ASSESS_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
CIVICFLOW_ASSESS_MAX_UNPACKED_BYTES = int(
    os.environ.get("CIVICFLOW_ASSESS_MAX_UNPACKED_BYTES", str(10 * CIVICFLOW_ASSESS_MAX_UPLOAD_BYTES))
)
CIVICFLOW_ASSESS_MAX_CASES = int(os.environ.get("CIVICFLOW_ASSESS_MAX_CASES", "20000"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# local staff accounts (docs/security.md): Argon2id first; older PBKDF2 hashes still verify and are
# rehashed with Argon2 at the next sign-in
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name) or str(default)
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


CIVICFLOW_SIGNIN_MAX_FAILURES = _positive("CIVICFLOW_SIGNIN_MAX_FAILURES", 5)
CIVICFLOW_SIGNIN_WINDOW = _positive("CIVICFLOW_SIGNIN_WINDOW", 900)  # seconds
CIVICFLOW_SIGNIN_LOCK = _positive("CIVICFLOW_SIGNIN_LOCK", 900)  # seconds
CIVICFLOW_STAFF_REQUIRE_TOTP = _flag("CIVICFLOW_STAFF_REQUIRE_TOTP")
WORKBENCH_SESSION_AGE = 8 * 60 * 60  # a staff session lasts a working day
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Django's own mail (the portal's draft links) goes to the SMTP server the email connector uses
EMAIL_HOST = os.environ.get("CIVICFLOW_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("CIVICFLOW_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CIVICFLOW_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CIVICFLOW_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CIVICFLOW_SMTP_STARTTLS") == "1"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("CIVICFLOW_MAIL_FROM", "civicflow@localhost")
# links in mail the worker sends (portal notices, staff digests): no request to take the host from
PUBLIC_URL = os.environ.get("CIVICFLOW_PUBLIC_URL", "http://localhost:8000").rstrip("/")
# Secure cookies whenever the site is reached over https; `make serve` on http://127.0.0.1 keeps
# working because its public address is plain http (browsers drop Secure cookies there)
CIVICFLOW_SECURE_COOKIES = _flag("CIVICFLOW_SECURE_COOKIES", default=PUBLIC_URL.startswith("https://"))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = CIVICFLOW_SECURE_COOKIES
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Strict-Transport-Security on https requests (Django sends it only when the request is secure):
# a year by default when the public address is https; 0 turns it off
_hsts = os.environ.get("CIVICFLOW_HSTS_SECONDS") or ("31536000" if PUBLIC_URL.startswith("https://") else "0")
if not _hsts.isdigit():
    raise ConfigurationError(f"CIVICFLOW_HSTS_SECONDS must be a whole number of seconds, not {_hsts!r}")
SECURE_HSTS_SECONDS = int(_hsts)
# civicflow.web.ratelimit: requests per client address and window (docs/security.md#hardening);
# CIVICFLOW_RATE_LIMITS=0 turns them off (load tests that send everything from one address)
CIVICFLOW_PUBLIC_RATE_LIMITS: dict[str, tuple[int, int]] = (
    {
        "lookup": (20, 3600),  # application status lookups (reference + secret) per hour
        "form": (300, 3600),  # start-form page posts per hour
        "submit": (20, 3600),  # submitted applications per hour
        "open-data": (600, 60),  # transparency pages and open-data files per minute
        "assistant": (30, 60),  # help pages (each question runs the help assistant's model) per minute
        "api-anonymous": (600, 60),  # API requests without credentials per minute
    }
    if _flag("CIVICFLOW_RATE_LIMITS", default=True)
    else {}
)
# civicflow.web: a form posted with a stale token gets the design system's 403 page
CSRF_FAILURE_VIEW = "civicflow.web.views.csrf_failure"

# civicflow.web: the agency the pages are branded for (docs/web.md); checked at start-up
CIVICFLOW_AGENCY_NAME = os.environ.get("CIVICFLOW_AGENCY_NAME", "CivicFlow")
CIVICFLOW_AGENCY_LOGO_URL = os.environ.get("CIVICFLOW_AGENCY_LOGO_URL", "")
CIVICFLOW_BRAND_COLOUR = os.environ.get("CIVICFLOW_BRAND_COLOUR", "#1d70b8")
# civicflow.portal: the licence of the transparency page's open data (docs/kpi.md)
CIVICFLOW_OPEN_DATA_LICENCE = os.environ.get("CIVICFLOW_OPEN_DATA_LICENCE", "CC0-1.0")
if CIVICFLOW_OPEN_DATA_LICENCE not in {"CC0-1.0", "CC-BY-4.0"}:
    raise ConfigurationError(
        f"CIVICFLOW_OPEN_DATA_LICENCE must be CC0-1.0 or CC-BY-4.0, not {CIVICFLOW_OPEN_DATA_LICENCE!r}"
    )

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # civicflow.api: bearer API tokens or a staff session (CSRF-checked), the authorization policy's
    # action per endpoint (deny by default), throttled per token, and every error as RFC 9457
    # problem+json from one handler
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "civicflow.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["civicflow.api.auth.PolicyPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["civicflow.api.auth.TokenRateThrottle"],
    "EXCEPTION_HANDLER": "civicflow.api.problems.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": None,
}
# API request bodies (deployments included) above this are refused with 413
CIVICFLOW_API_MAX_BODY_BYTES = int(os.environ.get("CIVICFLOW_API_MAX_BODY_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = CIVICFLOW_API_MAX_BODY_BYTES
CIVICFLOW_API_THROTTLE_RATE = os.environ.get("CIVICFLOW_API_THROTTLE_RATE", "20000/min")
# the longest an external-task fetch-and-lock may hold its request open waiting for work
CIVICFLOW_API_MAX_LONG_POLL_MS = int(os.environ.get("CIVICFLOW_API_MAX_LONG_POLL_MS", "60000"))
# job types (service task topics) served by external workers over the API: `civicflow worker`
# never claims these, so they wait for fetch-and-lock instead of becoming "no handler" incidents;
# the default is the reference building permit's register (examples/fire_safety_worker.py answers it)
CIVICFLOW_EXTERNAL_TOPICS = tuple(
    t.strip() for t in os.environ.get("CIVICFLOW_EXTERNAL_TOPICS", "fire-safety-register").split(",") if t.strip()
)
# bearer token Prometheus sends to GET /metrics (API tokens with the `metrics` scope work too);
# a short one would be guessable, and the endpoint is reachable wherever the site is
CIVICFLOW_METRICS_TOKEN = os.environ.get("CIVICFLOW_METRICS_TOKEN", "")
if CIVICFLOW_METRICS_TOKEN and len(CIVICFLOW_METRICS_TOKEN) < 32:
    raise ConfigurationError("CIVICFLOW_METRICS_TOKEN must be at least 32 characters (use a random secret)")
# KPI alerts (docs/kpi.md "Alerts"): checked by civicflow.workbench._alerts_options when the worker starts
CIVICFLOW_ALERT_INTERVAL = os.environ.get("CIVICFLOW_ALERT_INTERVAL", "60")  # seconds between two worker passes
CIVICFLOW_ALERT_DUE_PERCENT = os.environ.get("CIVICFLOW_ALERT_DUE_PERCENT", "20")
CIVICFLOW_ALERT_SLA_THRESHOLD = os.environ.get("CIVICFLOW_ALERT_SLA_THRESHOLD", "80")
CIVICFLOW_ALERT_SLA_WINDOW_DAYS = os.environ.get("CIVICFLOW_ALERT_SLA_WINDOW_DAYS", "30")
CIVICFLOW_ALERT_SLA_MIN_COMPLETED = os.environ.get("CIVICFLOW_ALERT_SLA_MIN_COMPLETED", "5")
# prefill from an HTTP base registry (docs/forms.md "Prefill"): checked by civicflow.parties.prefill_registry
CIVICFLOW_PREFILL_REGISTRY_URL = os.environ.get("CIVICFLOW_PREFILL_REGISTRY_URL", "")  # "" = no registry
CIVICFLOW_PREFILL_REGISTRY_MAPPING = os.environ.get("CIVICFLOW_PREFILL_REGISTRY_MAPPING", "")
CIVICFLOW_PREFILL_REGISTRY_TIMEOUT = os.environ.get("CIVICFLOW_PREFILL_REGISTRY_TIMEOUT", "3")
SPECTACULAR_SETTINGS = {
    "TITLE": "CivicFlow API",
    "VERSION": "1",
    "LICENSE": {"name": "EUPL-1.2"},
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "civicflow.api.schema.add_problem_responses",
    ],
}

_log_format = os.environ.get("CIVICFLOW_LOG_FORMAT", "text").lower()
if _log_format not in {"text", "json"}:
    raise ConfigurationError(f"CIVICFLOW_LOG_FORMAT must be 'text' or 'json', not {_log_format!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": _log_format}},
    "root": {"handlers": ["console"], "level": os.environ.get("CIVICFLOW_LOG_LEVEL", "INFO").upper()},
}
