"""Delivery of webhooks, in the mail outbox's pattern: claim due rows, POST each, record each result.

A row's life: queued → sending (claimed, committed before any HTTP) → sent | retry | failed.
Claiming uses ``SELECT … FOR UPDATE SKIP LOCKED``; a worker that dies leaves its rows "sending" and
they are taken again once the lease has passed (so a receiver may see a delivery twice: the event
``id`` and the ``delivery`` number let it ignore the repeat). A 2xx answer is success; anything else
(another status, a refused or timed-out connection) is retried with the outbox's exponential backoff
up to ``WEBHOOK_MAX_ATTEMPTS``, then the row fails and stays visible to staff in admin.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone

from notifications.outbox import backoff_seconds, lease_claim, lease_finish

from . import credentials
from .models import WebhookDelivery
from .services import webhook_body

log = logging.getLogger(__name__)
State = WebhookDelivery.State


def webhooks_claim(*, limit: int) -> list[WebhookDelivery]:
    """Take up to ``limit`` due deliveries (and those whose sender died) and mark them "sending"."""
    return lease_claim(
        WebhookDelivery,
        limit=limit,
        lease_seconds=settings.WEBHOOK_SENDING_LEASE_SECONDS,
        related=("client",),
    )


def webhook_deliver(row: WebhookDelivery) -> bool:
    """POST one claimed delivery, signed; record the result. True when the receiver took it."""
    client = row.client
    body = webhook_body(row)
    status: int | None = None
    error = ""
    if (
        not client.webhook_url.startswith(("https://", "http://"))
        or not client.webhook_secret_ciphertext
        or not client.is_active
    ):
        lease_finish(row, state=State.FAILED, last_error="no webhook URL, secret or active client")
        return False
    secret = credentials.decrypt_secret(client_id=client.pk, ciphertext=client.webhook_secret_ciphertext)
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - the URL staff registered (http or https)
        client.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "denshi-hosho-portal-webhook/1",
            credentials.TIMESTAMP_HEADER: str(timestamp),
            credentials.SIGNATURE_HEADER: credentials.sign(secret=secret, timestamp=timestamp, body=body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    if status is not None and 200 <= status < 300:
        lease_finish(row, state=State.SENT, sent_at=timezone.now(), last_status=status, last_error="")
        return True
    if row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        lease_finish(
            row, state=State.FAILED, last_status=status, last_error=f"{error} (gave up after {row.attempts})"
        )
    else:
        lease_finish(
            row,
            state=State.RETRY,
            last_status=status,
            last_error=error[:2000],
            next_attempt_at=timezone.now() + dt.timedelta(seconds=backoff_seconds(row.attempts)),
        )
    log.warning("webhook %s to client %s: %s", row.pk, client.pk, error)
    return False


def webhooks_send_due(*, max_seconds: float = 50.0, batch_size: int = 50) -> tuple[int, bool]:
    """Claim and send until nothing is due or the time is up. Returns (delivered, more may remain)."""
    delivered = 0
    stop_at = time.monotonic() + max_seconds
    while time.monotonic() < stop_at:
        rows = webhooks_claim(limit=batch_size)
        if not rows:
            return delivered, False
        delivered += sum(webhook_deliver(row) for row in rows)
    return delivered, True
