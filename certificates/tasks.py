"""Background work on certificates: render and store the PDF of a new certificate version."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import worker_process_init, worker_process_shutdown

from config.celery import app

from .models import Certificate

logger = logging.getLogger(__name__)


@app.task(
    name="certificates.tasks.certificate_render_pdf_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    acks_late=True,
)
def certificate_render_pdf_task(certificate_id: int) -> str:
    """Store the signed PDF of one certificate version (once; a second run finds it stored).

    Sent by name (``certificates.services.RENDER_PDF_TASK``) by certificate_issue and guarantee_change
    after their transaction commits (portal.after_commit: a broker that is down or hangs never undoes
    or breaks the issue). If it never runs, the first download renders the PDF instead
    (certificates.pdf.certificate_document).
    """
    from .pdf import certificate_document  # WeasyPrint loads only where PDFs are made

    certificate = Certificate.objects.get(pk=certificate_id)
    return certificate_document(certificate=certificate).sha256


@worker_process_init.connect
def warm_pdf_renderer(**_kwargs: Any) -> None:
    """Each worker process loads the font and the signing key once, before its first task."""
    from .pdf import warm_up

    try:
        warm_up()
    except Exception:  # the task itself reports the problem; other tasks keep running
        logger.exception("Could not prepare the PDF renderer")


@worker_process_shutdown.connect
def release_pdf_renderer(**_kwargs: Any) -> None:
    """A prefork child ends with ``os._exit``, past ``atexit``: release the renderer here so that
    its copy of the font leaves /tmp with the process (certificates.pdf.release)."""
    from .pdf import release

    release()
