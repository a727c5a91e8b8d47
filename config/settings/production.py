"""Production settings: every secret must come from the environment; nothing falls back."""

import os

from django.core.exceptions import ImproperlyConfigured

for _required in (
    "SECRET_KEY",
    "KEY_ENCRYPTION_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "EMAIL_HOST",
):
    if not os.environ.get(_required):
        raise ImproperlyConfigured(f"Production needs the environment variable {_required}.")
for _pair in ("PDF_SIGNING_KEY", "PDF_SIGNING_CERT"):
    if not (os.environ.get(_pair) or os.environ.get(f"{_pair}_PEM")):
        raise ImproperlyConfigured(
            f"Production needs the guarantor's signing pair: set {_pair} or {_pair}_PEM."
        )

from .base import *  # noqa: E402, F403
from .base import DEV_KEY_ENCRYPTION_KEY, DEV_SECRET_KEY, KEY_ENCRYPTION_KEY, SECRET_KEY  # noqa: E402

if SECRET_KEY == DEV_SECRET_KEY or KEY_ENCRYPTION_KEY == DEV_KEY_ENCRYPTION_KEY:
    raise ImproperlyConfigured("Production must not run with the development secrets.")

from .env import env_bool, env_int  # noqa: E402

if not env_bool("STAFF_REQUIRE_2FA", True):
    raise ImproperlyConfigured("Production requires two factors for staff: STAFF_REQUIRE_2FA cannot be off.")

DEBUG = False
CELERY_TASK_ALWAYS_EAGER = False
STAFF_REQUIRE_2FA = True

# HTTPS everywhere. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_ENABLED=true so
# Django trusts its X-Forwarded-Proto (and only that proxy may reach the app).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
