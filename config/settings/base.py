"""Settings for the 電子保証ポータル.

Everything comes from the environment. The defaults are the embedded set-up used by ``make run``:
SQLite, no broker (Celery runs tasks in-process), mail written to files. ``production.py`` removes
the defaults for secrets and fails fast; ``test.py`` points at the real PostgreSQL and Redis.
"""

import base64
import hashlib
import importlib.util
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_choice, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _package_dir(name: str) -> Path:
    """An installed package's folder, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the package {name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database, mail files and media live here

# Development-only secrets: fixed so that the embedded demo keeps working across restarts.
# production.py refuses to start with any of them.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-for-the-embedded-demo-do-not-use"  # noqa: S105
DEV_KEY_ENCRYPTION_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"dev-only-kek").digest()).decode()

SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

# Master key for the authentication keys (認証キー): base64url of 32 random bytes. Sub-keys for the
# verification digest and for the encrypted copy are derived from it (see authkeys/keys.py).
# It never lives in the database; back it up beside the database backups (docs/deploy.md).
KEY_ENCRYPTION_KEY = env_str("KEY_ENCRYPTION_KEY", DEV_KEY_ENCRYPTION_KEY)

INSTALLED_APPS = [
    "config.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "guarantees",
    "authkeys",
    "certificates",
    "notifications",
    "verification",
    "apiclients",
    "advances",
    "applications",
    "demo",
]

MIDDLEWARE = [
    "portal.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "config.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.NullCharacterMiddleware",
    "config.middleware.ServiceUnavailableMiddleware",
    # After authentication, django-otp and messages: idle/absolute session ends, staff sessions
    # without their second factor kept to the logins, then the forced password change.
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "config.context_processors.language_next",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# Persistent connections: a new connection per request costs ~10x the throughput (perf-notes.md).
DATABASES = {
    "default": dj_database_url.parse(
        env_url(
            "DATABASE_URL",
            f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
            schemes=("postgres", "postgresql", "sqlite"),
        ),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis, cache, Celery -----------------------------------------------------------------------
_redis_schemes = ("redis", "rediss", "unix")
REDIS_URL = env_url("REDIS_URL", "", schemes=_redis_schemes)
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The Celery app (config/celery.py), named where services hand work on (portal.after_commit), so
# that nothing imports Celery until work is handed on.
PORTAL_CELERY_APP = "config.celery.app"
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker the embedded demo runs tasks in-process, right after the transaction commits.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Tokyo"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Web requests hand work to the broker after their commit (portal/after_commit.py). A broker
# that is down refuses at once; one that hangs (paused, a network black hole) must not hold the
# request: every socket operation has a timeout and a publish is retried once, so a kick gives up
# within about three seconds and the outbox sweep sends the mail instead (docs/deploy.md).
_broker_timeout = env_int("BROKER_TIMEOUT_MS", 1000, minimum=1) / 1000
CELERY_BROKER_CONNECTION_TIMEOUT = _broker_timeout
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": _broker_timeout,
    "socket_connect_timeout": _broker_timeout,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}

# --- Auth ---------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute limit, enforced by accounts.middleware
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- I18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("英語"))]
# Django REST framework is not an installed app (docs/decisions.md): the API renders JSON only, and
# an installed DRF makes every process import its browsable API's template tags. Its messages (405,
# 415 ...) keep their Japanese from its own catalogue, after the portal's.
LOCALE_PATHS = [BASE_DIR / "locale", _package_dir("rest_framework") / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Mail ---------------------------------------------------------------------------------------
# Django 6.1's MAILERS. The embedded default writes each message to a file under var/mail; a real
# SMTP server is configured with EMAIL_HOST (and friends). SMTP always has a timeout, so a hung
# server cannot stall the mail queue.
_smtp_host = env_str("EMAIL_HOST", "")
_email_timeout = env_int("EMAIL_TIMEOUT", 10, minimum=1)
MAILERS = {
    "default": (
        {
            "BACKEND": "notifications.smtp.EmailBackend",  # Django's, addresses remembered
            "OPTIONS": {
                "host": _smtp_host,
                "port": env_int("EMAIL_PORT", 25, minimum=1),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": _email_timeout,
            },
        }
        if _smtp_host
        else {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    )
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "電子保証ポータル <no-reply@portal.example.jp>")
PORTAL_BASE_URL = env_url("PORTAL_BASE_URL", "http://127.0.0.1:8000", schemes=("https", "http"))

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "電子保証ポータル API",
    "DESCRIPTION": "Verification of electronic guarantee certificates (電子証書) for orderers' systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Operations are tagged by the path segment after /api/ ("v1"), whichever views the URLs list.
    "SCHEMA_PATH_PREFIX": "/api/",
    # The API docs (/api/docs/) serve Swagger UI from local static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CertificateStatusEnum": ["active", "changed", "cancelled", "revoked", "expired"],
        "ItemHttpStatusEnum": [(200, "200"), (400, "400"), (404, "404"), (429, "429"), (503, "503")],
    },
}

# --- Security headers ---------------------------------------------------------------------------
# A strict Content-Security-Policy from Django's own middleware: scripts and styles only from our
# static files (or with the per-request nonce), nothing framed, forms only to ourselves.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Logging ------------------------------------------------------------------------------------
# One JSON object per line, with the request id; keys and passwords are redacted by a filter.
_log_format = env_choice("LOG_FORMAT", "json", ["json", "plain"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.request_id.RequestIdFilter"},
        "redact": {"()": "portal.log_redaction.RedactSecretsFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": _log_format,
            "filters": ["request_id", "redact"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
    },
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},  # one line per page of every PDF otherwise
    },
}

# --- Contractor sessions and logins ---------------------------------------------------------
# (login limits, idle and absolute session ends)
# The user is loaded with its contractor (shown in every page's header) in one query.
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalModelBackend"]
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60, minimum=1)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=1)
SESSION_TOUCH_INTERVAL = 60  # the last-seen time is written at most once a minute
# Failed logins (password or code), counted atomically in Redis in fixed windows (accounts/limits.py,
# docs/security.md): per login ID and client, per login ID from all clients (a ceiling well above
# the first, so a stranger alone cannot lock the owner out), and per client for all login IDs.
LOGIN_REDIS_URL = env_url("LOGIN_REDIS_URL", REDIS_URL, schemes=_redis_schemes)
LOGIN_REDIS_TIMEOUT = env_int("LOGIN_REDIS_TIMEOUT_MS", 500, minimum=1) / 1000
LOGIN_REDIS_PREFIX = env_str("LOGIN_REDIS_PREFIX", "login")
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60)
LOGIN_FAILURES_PER_ID_CLIENT = env_int("LOGIN_FAILURES_PER_ID_CLIENT", 5)
LOGIN_FAILURES_PER_ID = env_int("LOGIN_FAILURES_PER_ID", 50)
LOGIN_FAILURES_PER_CLIENT = env_int("LOGIN_FAILURES_PER_CLIENT", 20)
# A browser where a login ID logged in completely is its known device this long (accounts/devices.py):
# its attempts count on their own counter (LOGIN_FAILURES_PER_ID_CLIENT), not on the ceiling.
LOGIN_KNOWN_DEVICE_DAYS = env_int("LOGIN_KNOWN_DEVICE_DAYS", 180)
# Password reset requests per mail address and per client (every request counts, known address or
# not), and the window in which requests for one address share one mail (the outbox's key).
PASSWORD_RESET_REQUEST_WINDOW = env_int("PASSWORD_RESET_REQUEST_WINDOW", 60 * 60)
PASSWORD_RESET_REQUESTS_PER_ADDRESS = env_int("PASSWORD_RESET_REQUESTS_PER_ADDRESS", 5)
PASSWORD_RESET_REQUESTS_PER_CLIENT = env_int("PASSWORD_RESET_REQUESTS_PER_CLIENT", 10)
PASSWORD_RESET_MAIL_WINDOW = env_int("PASSWORD_RESET_MAIL_WINDOW", 15 * 60)
# Password reset links by e-mail stay valid for one hour.
PASSWORD_RESET_TIMEOUT = 60 * 60
# Contractors' screens: rows per page of 保証工事一覧.
PORTAL_LIST_PAGE_SIZE = 20


# --- Verification limits ----------------------------------------------------------------------
# Brute-force limits shared by the verify page and the API (docs/security.md, docs/verification.md).
# Counted in Redis; without a Redis URL (the embedded demo only) they are counted per process.
VERIFICATION_REDIS_URL = env_url("VERIFICATION_REDIS_URL", REDIS_URL, schemes=_redis_schemes)
VERIFICATION_REDIS_TIMEOUT = env_int("VERIFICATION_REDIS_TIMEOUT_MS", 500, minimum=1) / 1000
VERIFICATION_REDIS_PREFIX = env_str("VERIFICATION_REDIS_PREFIX", "verify")
# Wrong guesses per contract number, then every attempt on that number is refused until it cools off.
VERIFICATION_FAILURES_PER_NUMBER = env_int("VERIFICATION_FAILURES_PER_NUMBER", 10)
VERIFICATION_FAILURE_WINDOW = env_int("VERIFICATION_FAILURE_WINDOW", 15 * 60)
# Per client address (an IPv6 client is its /64), anonymous callers only: failures (wrong keys,
# unknown numbers, malformed input) are limited tightly; successes get a large cap of their own, so
# the offices behind one shared address (自治体情報セキュリティクラウド) can all verify.
VERIFICATION_FAILURES_PER_CLIENT = env_int("VERIFICATION_FAILURES_PER_CLIENT", 100)
VERIFICATION_SUCCESSES_PER_CLIENT = env_int("VERIFICATION_SUCCESSES_PER_CLIENT", 5000)
VERIFICATION_CLIENT_WINDOW = env_int("VERIFICATION_CLIENT_WINDOW", 10 * 60)
# Items per POST /api/v1/verifications/batch.
VERIFICATION_BATCH_MAX_ITEMS = 100
# Reverse proxies in front of the portal that append to X-Forwarded-For; 0 = REMOTE_ADDR only.
# One setting for every use of the client's address (portal/client_address.py).
TRUSTED_PROXY_HOPS = env_int(
    "TRUSTED_PROXY_HOPS", env_int("VERIFICATION_TRUSTED_PROXY_HOPS", 0, minimum=0), minimum=0
)
# Failed attempts across all numbers within the window that raise the alert in admin.
VERIFICATION_ALERT_FAILURES = env_int("VERIFICATION_ALERT_FAILURES", 50)
VERIFICATION_ALERT_WINDOW = env_int("VERIFICATION_ALERT_WINDOW", 15 * 60)
# After a successful verification the orderer may come back to the certificate (print, PDF,
# receipt) without the key for this long (certificates/tokens.py).
VERIFIED_ACCESS_MAX_AGE = 30 * 60


# --- PDFs ---------------------------------------------------------------------------------------
# Certificates, key notices and verification receipts (certificates/pdf.py, docs/pdf.md). Every PDF
# is signed (PAdES) with the guarantor's key: PEM text in the environment wins over files. Without
# any, development and tests use the pair of `manage.py create_signing_pair` under var/signing,
# created on first use while the development secrets are in force; production must supply its own.
_signing_dir = VAR_DIR / "signing"
PDF_SIGNING_KEY = env_str("PDF_SIGNING_KEY", str(_signing_dir / "dev-signing-key.pem"))
_signing_cert_given = env_str("PDF_SIGNING_CERT", "")
PDF_SIGNING_CERT = _signing_cert_given or str(_signing_dir / "dev-signing-cert.pem")
PDF_SIGNING_CHAIN = env_list(
    "PDF_SIGNING_CHAIN", [] if _signing_cert_given else [str(_signing_dir / "dev-root-ca.pem")]
)
PDF_SIGNING_KEY_PEM = env_str("PDF_SIGNING_KEY_PEM", "")
PDF_SIGNING_CERT_PEM = env_str("PDF_SIGNING_CERT_PEM", "")
PDF_SIGNING_CHAIN_PEM = env_str("PDF_SIGNING_CHAIN_PEM", "")
PDF_SIGNING_KEY_PASSPHRASE = env_str("PDF_SIGNING_KEY_PASSPHRASE", "")
PDF_SIGNING_DEV_PAIR = env_bool("PDF_SIGNING_DEV_PAIR", SECRET_KEY == DEV_SECRET_KEY)
PDF_SIGNING_LOCATION = env_str("PDF_SIGNING_LOCATION", "日本")
# Stored certificate PDFs live in the default storage (MEDIA_ROOT) under this folder.
PDF_STORAGE_DIR = env_str("PDF_STORAGE_DIR", "documents")


# --- Mail queue and the 16:00 notice -------------------------------------------------------------
# Every mail goes through notifications.OutboxMessage (docs/mail.md). A worker claims up to
# NOTIFICATIONS_BATCH_SIZE due rows at a time; a temporary SMTP error puts a row back with an
# exponential backoff (base × 2^(attempts-1), capped), a permanent one or the last attempt fails it.
# A row left "sending" by a worker that died is taken again after the lease, which must be longer
# than the SMTP timeout (so a live worker is never overtaken).
NOTIFICATIONS_BATCH_SIZE = env_int("NOTIFICATIONS_BATCH_SIZE", 50)
# A large queue (the 16:00 notice) starts up to this many senders at once, each claiming its own
# rows; more than the worker's concurrency (CELERY_CONCURRENCY, deploy/) gains nothing.
NOTIFICATIONS_SENDERS = env_int("NOTIFICATIONS_SENDERS", 2, minimum=1)
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 8)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env_int("NOTIFICATIONS_RETRY_MAX_SECONDS", 6 * 60 * 60)
NOTIFICATIONS_SENDING_LEASE_SECONDS = env_int(
    "NOTIFICATIONS_SENDING_LEASE_SECONDS", max(120, 6 * _email_timeout)
)
# The 受領確認 link in a key submission and the links in change mails stay valid this long.
NOTIFICATIONS_LINK_MAX_AGE_DAYS = env_int("NOTIFICATIONS_LINK_MAX_AGE_DAYS", 180)


# --- API clients' webhooks -------------------------------------------------------------------
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_SENDING_LEASE_SECONDS = env_int("WEBHOOK_SENDING_LEASE_SECONDS", 120)


# Staff must use a second factor (TOTP) for admin. The embedded demo may switch that off; the
# production settings refuse to start with it off.
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "電子保証ポータル"
