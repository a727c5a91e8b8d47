"""Process start-up: ``django.setup()`` and the URLs (what ``manage.py check``, every worker and every
web process load) do not import the PDF renderer, the signer or the QR code library, nor Celery and
its broker client, nor the API's views with Django REST framework and drf-spectacular; each loads
where it is used (a PDF, a QR code, work handed to a worker, the API's first request). Nor the Redis
client, which loads with the first count of a limit (portal.redis_client), nor cryptography, which
loads with the first key or webhook secret derived (authkeys.keys, apiclients.credentials), nor any
app's Celery tasks module: services send tasks by name (portal.after_commit.task_send) and only the
workers discover the tasks modules."""

from tests.fresh_process import last_json_line

HEAVY = [
    "weasyprint",
    "pyhanko",
    "fontTools",
    "qrcode",
    "celery",
    "kombu",
    "amqp",
    "billiard",
    "vine",
    "cryptography",
]

_PROBE = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
from django.core.checks.urls import check_url_config
from django.urls import reverse

check_url_config(None)  # walks every URL pattern, as manage.py check does
get_resolver().resolve("/")
reverse("api:verifications")  # indexes every URL, as the first page of a process does
print(json.dumps(sorted(set(sys.modules) | {name.split(".")[0] for name in sys.modules})))
"""


def _modules_after_start_up(settings_module: str) -> set[str]:
    return set(last_json_line(_PROBE, settings_module=settings_module))


def test_starting_django_and_loading_every_url_imports_no_library_that_only_some_work_needs():
    # Given the portal's settings; when a process sets Django up and loads the URLs
    loaded = _modules_after_start_up("config.settings.test")
    # then none of the libraries that only PDFs, QR codes, queued work or the schema page need
    assert loaded.isdisjoint(HEAVY), sorted(loaded.intersection(HEAVY))
    assert loaded.isdisjoint(["config.celery", "drf_spectacular.views"])
    # nor the API's views, DRF's views and serializers, drf-spectacular's schema machinery
    assert loaded.isdisjoint(
        [
            "apiclients.api.views",
            "rest_framework.views",
            "rest_framework.serializers",
            "drf_spectacular.openapi",
        ]
    )
    assert "apiclients.api_urls" in loaded  # the probe did load the URLs


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


def test_an_api_view_loaded_on_its_first_request_is_the_view_itself(client, db):
    # Given the API's URL, whose view stands in for the class until its first request
    from django.urls import resolve

    match = resolve("/api/v1/verifications")
    # then the resolver names the view's class, without importing it
    assert match._func_path == "apiclients.api.views.VerificationCreateApi"
    # and once called it answers as DRF's view: exempt from the CSRF cookie, its own JSON errors
    response = client.post("/api/v1/verifications", "{", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert match.func.csrf_exempt is True
    assert match.func.cls.__name__ == "VerificationCreateApi"


def test_a_web_worker_builds_every_view_left_for_the_first_request_before_it_takes_one():
    # Given the URLs, whose API views wait for their first request
    from portal import lazy_views

    # when a web worker starts (gunicorn's post_worker_init)
    lazy_views.load_all()
    # then each of them is built, the API's and the schema's
    assert len(lazy_views._all) >= 5
    assert all("_view" in vars(view) for view in lazy_views._all)
