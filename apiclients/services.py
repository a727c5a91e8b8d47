"""Business actions for API clients: credentials, change events and their webhook deliveries."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from guarantees.models import Guarantee
from portal.after_commit import task_send

from . import credentials, selectors
from .models import ApiClient, ApiKey, ChangeEvent, ChangesRead, WebhookDelivery

#: The Celery task that delivers due webhooks (apiclients.tasks, which imports this module).
WEBHOOKS_SEND_TASK = "apiclients.tasks.webhooks_send_task"


@dataclass(frozen=True)
class IssuedCredentials:
    """Shown to staff once, to hand to the orderer's system administrator; never stored in clear."""

    api_key: str
    prefix: str
    webhook_secret: str


@sensitive_variables("api_key", "secret")
@transaction.atomic(durable=True)
def api_credentials_issue(*, client: ApiClient, issued_by: User | None) -> IssuedCredentials:
    """A new API key and webhook signing secret for ``client``. Every earlier key of the client is
    revoked in the same transaction: a rotated key is refused from the moment this commits."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    now = timezone.now()
    ApiKey.objects.filter(client=client, revoked_at__isnull=True).update(revoked_at=now, revoked_by=issued_by)
    api_key, prefix = credentials.generate_api_key()
    ApiKey.objects.create(
        client=client, prefix=prefix, digest=credentials.api_key_digest(api_key), created_by=issued_by
    )
    secret = credentials.generate_webhook_secret()
    client.webhook_secret_ciphertext = credentials.encrypt_secret(client_id=client.pk, secret=secret)
    client.save(update_fields=["webhook_secret_ciphertext"])
    return IssuedCredentials(api_key=api_key, prefix=prefix, webhook_secret=secret)


@transaction.atomic(durable=True)
def api_keys_revoke(*, key_ids: list[int], revoked_by: User | None) -> int:
    """Revoke keys; refused from the moment this commits. Returns how many were live."""
    return ApiKey.objects.filter(pk__in=key_ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=revoked_by
    )


def _kick_webhooks() -> None:
    task_send(WEBHOOKS_SEND_TASK)


def change_event_record(*, guarantee: Guarantee, kind: str, version: int | None = None) -> ChangeEvent | None:
    """Record a change in the caller's transaction (the save that made it) and queue one webhook per
    watching client. A status already recorded is not recorded twice."""
    if (
        kind != ChangeEvent.Kind.NEW_VERSION
        and ChangeEvent.objects.filter(guarantee=guarantee, kind=kind).exists()
    ):
        return None
    event = ChangeEvent.objects.create(guarantee=guarantee, kind=kind, version=version)
    change = selectors.stored_change(event)
    _deliveries_queue(change=change, clients=selectors.clients_watching(guarantee_id=guarantee.pk))
    return event


def _deliveries_queue(*, change: selectors.Change, clients: list[ApiClient]) -> int:
    if not clients:
        return 0
    versions = selectors.versions_by_guarantee(guarantee_ids=[change.guarantee.pk])[change.guarantee.pk]
    payload = selectors.change_payload(change, versions=versions, today=timezone.localdate())
    now = timezone.now()
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                client=client,
                event_id=change.id,
                idempotency_key=f"{client.pk}:{change.id}",
                payload=payload,
                next_attempt_at=now,
            )
            for client in clients
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(_kick_webhooks)
    return len(rows)


@transaction.atomic(durable=True)
def webhooks_queue_expiries(*, today: dt.date | None = None, days_back: int = 7) -> int:
    """Queue a 保証期間満了 webhook for each guarantee whose period ended in the last ``days_back``
    days, to every client watching it (idempotent: run it daily, or twice, or after a pause)."""
    today = today or timezone.localdate()
    ended = Guarantee.objects.filter(
        status=Guarantee.Status.ACTIVE,
        guarantee_period_end__lt=today,
        guarantee_period_end__gte=today - dt.timedelta(days=days_back),
        verification_attempts__api_client__webhook_url__gt="",
    ).distinct()
    queued = 0
    for guarantee in ended:
        clients = selectors.clients_watching(guarantee_id=guarantee.pk)
        queued += _deliveries_queue(change=selectors.expired_change(guarantee), clients=clients)
    return queued


@transaction.atomic(durable=True)
def webhooks_resend(*, delivery_ids: list[int]) -> int:
    """Staff: send these deliveries again now (failed ones included)."""
    count = (
        WebhookDelivery.objects.filter(pk__in=delivery_ids)
        .exclude(state=WebhookDelivery.State.SENDING)
        .update(state=WebhookDelivery.State.QUEUED, next_attempt_at=timezone.now(), attempts=0, last_error="")
    )
    if count:
        transaction.on_commit(_kick_webhooks)
    return count


def webhook_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(
        {"event": delivery.payload, "delivery": delivery.pk}, ensure_ascii=False, separators=(",", ":")
    ).encode()


def changes_read_record(*, client: ApiClient, since: dt.datetime, changes: int) -> None:
    """Record one call of the change feed under its client (one autocommitted INSERT)."""
    ChangesRead.objects.create(client=client, since=since, changes=changes)
