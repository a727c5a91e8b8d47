"""gunicorn settings for the web process (see docs/deploy.md). Values come from the environment."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: on these machines gthread did not beat them (perf-notes.md). 2 per core + 1.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
# The client address and the request line; never bodies. A key or token in the request line's query
# (or the referer) is redacted by the logger class, as in every other log line.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
logger_class = "config.gunicorn_logging.RedactingLogger"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker: object) -> None:
    """Load WeasyPrint's font and the signing key in each worker before it takes requests, so the
    first PDF download of a worker is as fast as the rest (docs/pdf.md); and the Celery app with the
    tasks, so the first action that hands work on after its commit does not load them; and the API's
    views, so the first orderer's request does not load DRF."""
    from certificates.pdf import warm_up
    from config.celery import app

    app.loader.import_default_modules()  # every app's tasks.py, as a Celery worker loads them
    from portal.lazy_views import load_all

    load_all()  # the API's views (DRF, drf-spectacular), which other processes never load

    try:
        warm_up()
    except Exception:
        import logging

        logging.getLogger("portal.gunicorn").exception("PDF warm-up failed; PDFs will load on first use")
