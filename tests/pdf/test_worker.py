"""The render task through the real broker: Redis and a Celery worker, as in production."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

from certificates.models import CertificateDocument
from config.celery import app
from tests.factories import issue_guarantee


@pytest.fixture
def redis_worker(settings):
    """A Celery worker (one thread, solo pool) consuming the tests' Redis database."""
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ):
            yield
    finally:
        app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_a_worker_stores_the_pdf_of_a_certificate_once_its_issue_committed(
    redis_worker, contractor_a, orderer
):
    # when: the issue commits, and the task goes through Redis to the worker
    certificate = issue_guarantee(contractor=contractor_a, orderer=orderer).certificates.get()
    # then: the worker has stored the document (polling: the worker runs beside this test)
    deadline = time.monotonic() + 60
    while not CertificateDocument.objects.filter(certificate=certificate).exists():
        assert time.monotonic() < deadline, "the worker did not store the PDF within a minute"
        time.sleep(0.1)
    document = CertificateDocument.objects.get(certificate=certificate)
    assert document.file.read().startswith(b"%PDF-")
