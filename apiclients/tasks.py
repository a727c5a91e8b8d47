"""Celery tasks: thin wrappers around webhook delivery and the daily 満了 events."""

from __future__ import annotations

from config.celery import app

from . import services, webhooks


@app.task(name="apiclients.tasks.webhooks_send_task", ignore_result=True)
def webhooks_send_task() -> int:
    """Send due webhooks. Started after each commit that queued one, and every minute by beat."""
    delivered, more = webhooks.webhooks_send_due()
    if more:
        webhooks_send_task.delay()
    return delivered


@app.task(name="apiclients.tasks.webhooks_expiry_task", ignore_result=True)
def webhooks_expiry_task() -> int:
    """Queue 保証期間満了 webhooks for periods that ended (beat, shortly after midnight Tokyo time)."""
    return services.webhooks_queue_expiries()
