"""The portal's Celery app. The broker is Redis from ``REDIS_URL``; tasks live in each app's tasks.py.

Only what hands work to Celery imports this module: the workers and beat (``celery -A config``), and
each app's tasks.py, which a web process imports when an action first queues work after its commit
(gunicorn loads it before a worker's first request). ``manage.py`` and ``django.setup()`` never
import Celery (tests/test_startup_imports.py).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Beat's entries (Asia/Tokyo, CELERY_TIMEZONE). The 16:00 registration notice; a sweep every minute
# that sends what is due again (retries, rows of a worker that died, a kick lost with the broker);
# the same for API clients' webhooks; 保証期間満了 begins at midnight, its webhooks go out a few
# minutes later.
app.conf.beat_schedule = {
    "notifications-registration-notice": {
        "task": "notifications.tasks.registration_notice_task",
        "schedule": crontab(hour=16, minute=0),
    },
    "notifications-outbox-sweep": {
        "task": "notifications.tasks.outbox_send_task",
        "schedule": 60.0,
    },
    "apiclients-webhooks-sweep": {
        "task": "apiclients.tasks.webhooks_send_task",
        "schedule": 60.0,
    },
    "apiclients-webhooks-expiry": {
        "task": "apiclients.tasks.webhooks_expiry_task",
        "schedule": crontab(hour=0, minute=5),
    },
}
