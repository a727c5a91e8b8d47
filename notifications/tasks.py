"""Celery tasks: thin wrappers that load, call the outbox or a service, and nothing else."""

from __future__ import annotations

import logging

from config.celery import app

from . import outbox, services
from .models import NoticeRun

log = logging.getLogger(__name__)


@app.task(name="notifications.tasks.outbox_send_task", ignore_result=True)
def outbox_send_task() -> dict[str, int]:
    """Send what is due. Started after each commit that queued mail, and every minute by beat."""
    report, more = outbox.outbox_send_due()
    if more:
        outbox_send_task.delay()
    return {
        "sent": report.sent,
        "retried": report.retried,
        "failed": report.failed,
        "released": report.released,
    }


@app.task(name="notifications.tasks.registration_notice_task", ignore_result=True)
def registration_notice_task() -> int:
    """The 16:00 registration notice (beat: config/celery.py)."""
    run = services.registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
    log.info("registration notice: %s versions, %s mails", run.certificates, run.messages)
    return run.pk
