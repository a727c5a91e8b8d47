"""Process start-up: ``django.setup()`` and the URLs (what ``manage.py check``, every worker and
every web process load) do not import the PDF renderer, the signer or the QR code library, nor
Celery and its broker client, nor drf-spectacular's schema views; each loads where it is used (a
PDF, a QR code, work handed to a worker, the API's schema page). Nor the Redis client, which loads
with the first count of a limit (portal.redis_client), nor any app's Celery tasks module: services
send tasks by name (portal.after_commit.task_send) and only the workers discover the tasks modules."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEAVY = ["weasyprint", "pyhanko", "fontTools", "qrcode", "celery", "kombu", "amqp", "billiard", "vine"]

_PROBE = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
from django.core.checks.urls import check_url_config

check_url_config(None)  # walks every URL pattern, as manage.py check does
get_resolver().resolve("/")
print(json.dumps(sorted(set(sys.modules) | {name.split(".")[0] for name in sys.modules})))
"""


def _modules_after_start_up(settings_module: str) -> set[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONPATH": str(ROOT)}
    output = subprocess.run(  # noqa: S603 - this interpreter, a probe written above
        [sys.executable, "-c", _PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return set(json.loads(output.strip().splitlines()[-1]))


def test_starting_django_and_loading_every_url_imports_no_library_that_only_some_work_needs():
    # Given the portal's settings; when a process sets Django up and loads the URLs
    loaded = _modules_after_start_up("config.settings.test")
    # then none of the libraries that only PDFs, QR codes, queued work or the schema page need
    assert loaded.isdisjoint(HEAVY), sorted(loaded.intersection(HEAVY))
    assert loaded.isdisjoint(["config.celery", "drf_spectacular.views"])
    assert "rest_framework" in loaded  # the probe did load the URLs


def test_the_workers_find_the_portal_app_and_every_task_from_the_package_name():
    # Given the command line of the workers and beat (celery -A config, deploy/Procfile)
    from celery.app.utils import find_app

    # when Celery looks the app up as they do
    app = find_app("config")
    app.loader.import_default_modules()
    # then it is the portal's app, configured from the settings, with every task and beat entry
    assert app.main == "portal"
    assert app.conf.timezone == "Asia/Tokyo"
    assert {
        "notifications.tasks.outbox_send_task",
        "notifications.tasks.registration_notice_task",
        "apiclients.tasks.webhooks_send_task",
        "apiclients.tasks.webhooks_expiry_task",
        "certificates.tasks.certificate_render_pdf_task",
    } <= set(app.tasks)
    assert {entry["task"] for entry in app.conf.beat_schedule.values()} <= set(app.tasks)


def test_starting_django_and_loading_every_url_does_not_import_redis():
    # Given settings with a Redis URL; when a process sets Django up and loads the URLs
    loaded = _modules_after_start_up("config.settings.test")
    # then the Redis client library waits for the first limit that counts
    assert "redis" not in loaded


def test_starting_django_and_loading_every_url_imports_no_tasks_module():
    # Given the portal's settings; when a process sets Django up and loads the URLs
    loaded = _modules_after_start_up("config.settings.test")
    # then no app's tasks module is among the modules (the workers' autodiscovery loads them)
    assert not {name for name in loaded if name.endswith(".tasks") and name != "asyncio.tasks"}


def test_a_pdf_still_loads_its_renderer_when_it_is_made(db):
    # Given a process that has not rendered a PDF; when the renderer is asked for
    from certificates import pdf

    renderer = pdf._renderer()
    # then WeasyPrint is there, and the fetcher class is WeasyPrint's
    from weasyprint.urls import URLFetcher

    assert isinstance(renderer.fetcher, URLFetcher)
    assert issubclass(pdf.RefusedFetch, BaseException)
