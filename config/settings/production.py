"""Production settings: every secret must come from the environment; nothing falls back."""

import os

from django.core.exceptions import ImproperlyConfigured

for _required in ("SECRET_KEY", "KEY_ENCRYPTION_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"):
    if not os.environ.get(_required):
        raise ImproperlyConfigured(f"Production needs the environment variable {_required}.")

from .base import *  # noqa: E402, F403
from .base import DEV_KEY_ENCRYPTION_KEY, DEV_SECRET_KEY, KEY_ENCRYPTION_KEY, SECRET_KEY  # noqa: E402

if SECRET_KEY == DEV_SECRET_KEY or KEY_ENCRYPTION_KEY == DEV_KEY_ENCRYPTION_KEY:
    raise ImproperlyConfigured("Production must not run with the development secrets.")

DEBUG = False
CELERY_TASK_ALWAYS_EAGER = False
STAFF_REQUIRE_2FA = True
