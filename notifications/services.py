"""Business actions of the notifications app.

The single entry point for mail is ``notification_enqueue``: it writes an outbox row in the caller's
transaction (so a rolled-back action sends nothing) and asks a worker to send after the commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from certificates.models import Certificate
from guarantees.models import (
    KIND_SHORT_LABELS,
    Contractor,
    Guarantee,
)
from portal.after_commit import after_commit, task_send
from portal.bulk import copy_rows

from .errors import NotificationError
from .models import (
    NoticeRun,
    NoticeSchedule,
    OutboxMessage,
    RegistrationNotice,
    RegistrationNoticeItem,
)

#: The hour of the day's notice: versions registered before it are in that day's mail.
NOTICE_HOUR = 16
_BULK = 1000
#: Contractors whose versions the notice run reads and writes at a time (bounded memory).
NOTICE_CHUNK = 500


# --- The outbox -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MailDraft:
    kind: str
    idempotency_key: str
    to: str
    context: dict[str, Any]


#: The Celery task that sends what is due (notifications.tasks, which imports this module).
OUTBOX_SEND_TASK = "notifications.tasks.outbox_send_task"


def _kick_sender(*, queued: int = 1) -> None:
    """Ask a worker to send after the commit: one sender per batch queued, up to
    NOTIFICATIONS_SENDERS, so that a large queue is sent by several worker processes at once (each
    claims its own rows). The rows are durable: if the broker is down or hangs, the failure is logged
    and the outbox sweep of beat (every minute) sends them."""
    senders = min(settings.NOTIFICATIONS_SENDERS, -(-queued // settings.NOTIFICATIONS_BATCH_SIZE))
    for _sender in range(max(senders, 1)):
        after_commit(partial(task_send, OUTBOX_SEND_TASK), what="starting the mail sender")


def checked_address(to: str) -> str:
    to = to.strip()
    try:
        validate_email(to)
    except ValidationError as exc:
        raise NotificationError(
            "invalid_address", _("メールアドレスの形式が正しくありません: %(to)s") % {"to": to}, field="to"
        ) from exc
    return to


def notification_enqueue(
    *, kind: str, idempotency_key: str, to: str, context: dict[str, Any]
) -> OutboxMessage:
    """Queue one mail to one address, in the caller's transaction.

    The same ``idempotency_key`` twice gives back the first row and queues nothing more, so callers
    may retry freely. The sender is started when the transaction commits; nothing is sent if it rolls
    back.
    """
    if kind not in OutboxMessage.Kind.values:
        raise NotificationError("unknown_kind", f"unknown mail kind {kind!r}")
    row, created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "kind": kind,
            "to": checked_address(to),
            "context": context,
            "next_attempt_at": timezone.now(),
        },
    )
    if created:
        _kick_sender()
    return row


def notifications_enqueue_many(drafts: Iterable[MailDraft], *, start_senders: bool = True) -> int:
    """``notification_enqueue`` for many mails at once (bulk inserts; keys already queued are skipped).

    ``start_senders=False`` leaves starting the senders to a caller that queues in several calls
    and starts them once for the whole (``_kick_sender(queued=...)``)."""
    now = timezone.now()
    count = 0
    batch: list[OutboxMessage] = []
    for draft in drafts:
        if draft.kind not in OutboxMessage.Kind.values:
            raise NotificationError("unknown_kind", f"unknown mail kind {draft.kind!r}")
        batch.append(
            OutboxMessage(
                kind=draft.kind,
                idempotency_key=draft.idempotency_key,
                to=checked_address(draft.to),
                context=draft.context,
                next_attempt_at=now,
            )
        )
        if len(batch) >= _BULK:
            count += len(OutboxMessage.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        count += len(OutboxMessage.objects.bulk_create(batch, ignore_conflicts=True))
    if count and start_senders:
        _kick_sender(queued=count)
    return count


@transaction.atomic(durable=True)
def outbox_resend(*, message_ids: Iterable[int]) -> int:
    """Staff's resend: failed rows are queued again as new (attempts reset). Sent rows are left alone."""
    count = OutboxMessage.objects.filter(pk__in=list(message_ids), state=OutboxMessage.State.FAILED).update(
        state=OutboxMessage.State.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if count:
        _kick_sender(queued=count)
    return count


# --- Password reset links ---------------------------------------------------------------------------
def password_reset_mail_enqueue(*, address: str, window: int) -> OutboxMessage:
    """The password reset mail to ``address`` for the request window ``window`` (one row, hence one
    mail, per address and window however many requests came).

    The request never looks up the accounts: the row is the same for every address, and the mail is
    built when it is sent (``emails.password_reset``), for the accounts that have the address then,
    with a fresh link; for an address no account has, the row ends "failed" and nothing is sent.
    The link is never stored.
    """
    normalized = address.strip().casefold()
    digest = hashlib.sha256(normalized.encode()).hexdigest()[:32]
    return notification_enqueue(
        kind=OutboxMessage.Kind.PASSWORD_RESET,
        idempotency_key=f"password-reset:{digest}:{window}",
        to=address,
        context={"address": address},
    )


# --- The registration notice (電子証書・認証キーの登録お知らせメール) -------------------------------
def notice_cutoff(*, notice_date: dt.date) -> dt.datetime:
    """16:00 in Japan on ``notice_date``: versions registered before it are in that day's notice."""
    return dt.datetime.combine(notice_date, dt.time(NOTICE_HOUR), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _notice_item(row: dict[str, Any], kind_labels: dict[str, str]) -> dict[str, Any]:
    return {
        "number": row["contract_number"],
        "kind": kind_labels.get(row["kind"], row["kind"]),
        "work_name": row["work_name"],
        "orderer": row["orderer_title"],
        "is_change": row["is_change"],
        "version": row["version"],
    }


def _unique_addresses(addresses: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique


@transaction.atomic(durable=True)
def registration_notice_run(
    *,
    trigger: str,
    notice_date: dt.date | None = None,
    contractor: Contractor | None = None,
    started_by: User | None = None,
) -> NoticeRun:
    """Announce every electronic certificate version not announced yet: one mail per contractor.

    The scheduled run (and the command) takes the versions registered before 16:00 of
    ``notice_date`` (today by default; never later than now). Staff's お急ぎ run takes one
    contractor's versions registered until now. Each version is announced exactly once: runs queue
    on the schedule row's lock, and a version's announcement is unique in the database; what a run
    misses (a skipped day, a registration committed after the run looked) the next run finds.
    """
    now = timezone.now()
    if notice_date is None:
        notice_date = timezone.localdate(now)
    cutoff = now if contractor is not None else min(now, notice_cutoff(notice_date=notice_date))
    schedule, _created = NoticeSchedule.objects.select_for_update().get_or_create(pk=1)
    run = NoticeRun.objects.create(
        trigger=trigger,
        notice_date=notice_date,
        cutoff=cutoff,
        started_by=started_by if started_by is not None and started_by.pk else None,
    )
    pending = Certificate.objects.filter(
        medium=Guarantee.Medium.ELECTRONIC,
        registered_at__lt=cutoff,
        registration_notice_item__isnull=True,
    )
    if contractor is not None:
        pending = pending.filter(guarantee__contractor=contractor)
    # The contractors first, then their versions NOTICE_CHUNK contractors at a time: memory stays bounded,
    # and plain queries (no server-side cursor, which makes PostgreSQL favour fast-start plans).
    contractor_ids = list(
        pending.order_by("guarantee__contractor_id")
        .values_list("guarantee__contractor_id", flat=True)
        .distinct()
    )

    base_url = settings.PORTAL_BASE_URL.rstrip("/") + "/"
    kind_labels = {kind: str(label) for kind, label in KIND_SHORT_LABELS.items()}
    for chunk in _pending_by_contractor(pending, contractor_ids, size=NOTICE_CHUNK):
        contractors = Contractor.objects.in_bulk([contractor_id for contractor_id, _rows in chunk])
        notices = RegistrationNotice.objects.bulk_create(
            [
                RegistrationNotice(
                    run=run,
                    contractor_id=contractor_id,
                    notice_date=notice_date,
                    recipients=_unique_addresses(contractors[contractor_id].notice_email_list),
                )
                for contractor_id, _rows in chunk
            ]
        )
        items: list[tuple[int, int]] = []
        drafts: list[MailDraft] = []
        for notice, (contractor_id, contractor_rows) in zip(notices, chunk, strict=True):
            items.extend((notice.pk, row["id"]) for row in contractor_rows)
            context = {
                "contractor_name": contractors[contractor_id].display_name,
                "notice_date": notice_date.isoformat(),
                "items": [_notice_item(row, kind_labels) for row in contractor_rows],
                "portal_url": base_url,
            }
            drafts.extend(
                MailDraft(
                    kind=OutboxMessage.Kind.REGISTRATION_NOTICE,
                    idempotency_key=f"registration-notice:{notice.pk}:{address.lower()}",
                    to=address,
                    context=context,
                )
                for address in notice.recipients
            )
            run.certificates += len(contractor_rows)
        _insert_notice_items(items)
        run.messages += notifications_enqueue_many(drafts, start_senders=False)
        run.notices += len(notices)
    if run.messages:
        _kick_sender(queued=run.messages)  # once for the run, not once per 500 contractors
    run.save(update_fields=["certificates", "notices", "messages"])
    schedule.last_run_at = now
    schedule.last_cutoff = cutoff
    schedule.save(update_fields=["last_run_at", "last_cutoff"])
    return run


def _insert_notice_items(pairs: list[tuple[int, int]]) -> None:
    """The announced versions, as (notice id, certificate id) pairs, copied in without a model
    instance per row (``portal.bulk.copy_rows``: COPY on PostgreSQL, ``bulk_create`` on SQLite).
    For 10,000 versions the ORM's ``bulk_create`` spent ≈140 ms of CPU building and preparing
    them. The unique certificate still refuses a version announced twice."""
    copy_rows(
        RegistrationNoticeItem,
        ({"notice_id": notice_id, "certificate_id": certificate_id} for notice_id, certificate_id in pairs),
    )


def _pending_by_contractor(
    pending: QuerySet[Certificate], contractor_ids: list[int], *, size: int
) -> Iterator[list[tuple[int, list[dict[str, Any]]]]]:
    """(contractor id, its versions) for ``size`` contractors at a time, in contractor order."""
    for start in range(0, len(contractor_ids), size):
        rows = (
            pending.filter(guarantee__contractor_id__in=contractor_ids[start : start + size])
            .order_by("guarantee__contractor_id", "contract_number", "version")
            .values(
                "id",
                "guarantee__contractor_id",
                "contract_number",
                "kind",
                "work_name",
                "orderer_title",
                "is_change",
                "version",
            )
        )
        yield [
            (contractor_id, list(group))
            for contractor_id, group in groupby(
                cast(Iterable[dict[str, Any]], rows), key=lambda row: int(row["guarantee__contractor_id"])
            )
        ]
