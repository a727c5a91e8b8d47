"""Delivery of the outbox: claim due rows, send them over one SMTP connection, record each result.

A row's life: queued → sending (claimed, committed before any SMTP) → sent | retry | failed.

- Claiming uses ``SELECT … FOR UPDATE SKIP LOCKED`` so two workers never take the same row.
- Each result is committed on its own, right after its SMTP exchange. A worker killed mid-batch
  leaves its rows "sending"; once the lease has passed they are taken again, so at most the one mail
  that was in flight can go out twice (the receiver also sees the same Message-ID).
- Temporary trouble (4xx replies, a dropped or hung connection — SMTP has a timeout) puts the row
  back as "retry" with an exponential backoff; when the connection itself failed, the rest of the
  batch goes back untouched and the worker stops. A permanent refusal (5xx) fails that row only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import smtplib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.core.mail import mailers
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from . import emails
from .errors import PermanentMailError
from .models import OutboxMessage

log = logging.getLogger(__name__)
State = OutboxMessage.State


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    connection_failed: bool = False

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.released += other.released
        self.connection_failed = self.connection_failed or other.connection_failed


def backoff_seconds(attempts: int) -> int:
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return int(min(base * 2 ** max(attempts - 1, 0), settings.NOTIFICATIONS_RETRY_MAX_SECONDS))


def lease_claim[Row: models.Model](
    model: type[Row], *, limit: int, lease_seconds: float, related: tuple[str, ...] = ()
) -> list[Row]:
    """Take up to ``limit`` due rows of an outbox table (the mail outbox, the webhook deliveries:
    ``state``, ``next_attempt_at``, ``claimed_at``, ``attempts``), then rows whose sender died and
    whose lease ran out, and mark them "sending" in one transaction (``SKIP LOCKED``)."""
    now = timezone.now()
    stale = now - dt_seconds(lease_seconds)
    manager = model._default_manager
    with transaction.atomic():
        locked = manager.select_for_update(skip_locked=True, of=("self",))
        if related:
            locked = locked.select_related(*related)
        rows = list(
            locked.filter(state__in=[State.QUEUED, State.RETRY], next_attempt_at__lte=now).order_by(
                "next_attempt_at", "id"
            )[:limit]
        )
        if len(rows) < limit:
            rows += list(
                locked.filter(state=State.SENDING, claimed_at__lt=stale).order_by("claimed_at", "id")[
                    : limit - len(rows)
                ]
            )
        if rows:
            manager.filter(pk__in=[row.pk for row in rows]).update(
                state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    for row in rows:
        row.state = State.SENDING  # type: ignore[attr-defined]
        row.claimed_at = now  # type: ignore[attr-defined]
        row.attempts += 1  # type: ignore[attr-defined]
    return rows


def lease_finish(row: models.Model, **values: object) -> None:
    """Record a result, unless another worker took the row over after our lease ran out.

    One UPDATE per mail is the sender's most frequent statement: it is written once per table and
    set of columns (``_finish_sql``) and only its values are prepared for each row, where the ORM
    compiled the whole query again every time (docs/benchmarks.md, the 16:00 notice)."""
    sql, fields, claimed_at = _finish_sql(type(row), tuple(values))
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    lease = claimed_at.get_db_prep_save(row.claimed_at, connection)  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, row.pk, State.SENDING, lease])


@functools.cache
def _finish_sql(
    model: type[models.Model], columns: tuple[str, ...]
) -> tuple[str, list[models.Field], models.Field]:
    """``UPDATE <table> SET <columns> WHERE <pk> = %s AND state = %s AND claimed_at = %s``, every
    name from the model's own metadata, quoted (only values are parameters); the fields that
    prepare the values, and the lease's."""
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [cast(models.Field, meta.get_field(name)) for name in columns]
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    keys = (str(meta.pk.column), "state", "claimed_at")
    where = " AND ".join(f"{quote(column)} = %s" for column in keys)
    claimed_at = cast(models.Field, meta.get_field("claimed_at"))
    return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {where}", fields, claimed_at  # noqa: S608


def outbox_claim(*, limit: int) -> list[OutboxMessage]:
    """Take up to ``limit`` due mails (and mails whose sender died) and mark them "sending"."""
    return lease_claim(OutboxMessage, limit=limit, lease_seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS)


def dt_seconds(seconds: float) -> dt.timedelta:
    return dt.timedelta(seconds=seconds)


def _sent(row: OutboxMessage, subject: str, report: DeliveryReport) -> None:
    lease_finish(row, state=State.SENT, sent_at=timezone.now(), subject=subject, last_error="")
    report.sent += 1


def _failed(row: OutboxMessage, error: str, report: DeliveryReport) -> None:
    lease_finish(row, state=State.FAILED, last_error=error[:2000])
    report.failed += 1
    log.warning("mail %s failed: %s", row.pk, error)


def _retry(row: OutboxMessage, error: str, report: DeliveryReport) -> None:
    if row.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        _failed(row, f"{error} (gave up after {row.attempts} attempts)", report)
        return
    lease_finish(
        row,
        state=State.RETRY,
        next_attempt_at=timezone.now() + dt_seconds(backoff_seconds(row.attempts)),
        last_error=error[:2000],
    )
    report.retried += 1


def _release(rows: list[OutboxMessage], error: str, report: DeliveryReport, *, due_now: bool = False) -> None:
    """Give back rows never tried, with their attempt uncounted: due at once (``due_now``, when this
    worker ran out of lease) or when a first retry would be (the server is in trouble)."""
    if not rows:
        return
    OutboxMessage.objects.filter(
        pk__in=[row.pk for row in rows], state=State.SENDING, claimed_at=rows[0].claimed_at
    ).update(
        state=State.QUEUED if due_now else State.RETRY,
        attempts=F("attempts") - 1,
        next_attempt_at=timezone.now() + dt_seconds(0 if due_now else backoff_seconds(1)),
        last_error="" if due_now else error[:2000],
    )
    report.released += len(rows)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for address, (code, reply) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"


def outbox_deliver(rows: list[OutboxMessage]) -> DeliveryReport:
    """Send claimed rows over one SMTP connection, one message (one recipient) at a time."""
    report = DeliveryReport()
    if not rows:
        return report
    deadline = time.monotonic() + settings.NOTIFICATIONS_SENDING_LEASE_SECONDS / 2
    with _asynchronous_commit():
        _deliver(rows, report, deadline)
    return report


@contextlib.contextmanager
def _asynchronous_commit() -> Iterator[None]:
    """Commit each result without waiting for the WAL flush (PostgreSQL ``synchronous_commit=off``).

    A worker that dies loses nothing by this: what it committed is in the database. Only a crash of
    the database server itself can forget the last results of a fraction of a second; those mails
    are then sent again (with the same Message-ID), never lost. The per-row fsync it saves is most
    of the cost of recording a result.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _deliver(rows: list[OutboxMessage], report: DeliveryReport, deadline: float) -> None:
    mailer = mailers.default
    try:
        mailer.open()
    except (smtplib.SMTPException, OSError) as exc:
        _release(rows, f"connection: {_describe(exc)}", report)
        report.connection_failed = True
        return
    try:
        for index, row in enumerate(rows):
            if time.monotonic() > deadline:
                _release(rows[index:], "lease nearly over", report, due_now=True)
                break
            try:
                message, subject = emails.build_message(
                    kind=row.kind, to=row.to, context=row.context, idempotency_key=row.idempotency_key
                )
            except (PermanentMailError, KeyError, ValueError, LookupError) as exc:
                _failed(row, f"render: {_describe(exc)}", report)
                continue
            try:
                mailer.send_messages([message])
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _reply in exc.recipients.values()]
                if codes and all(500 <= code < 600 for code in codes):
                    _failed(row, _describe(exc), report)
                    continue
                _retry(row, _describe(exc), report)
                if any(code == 421 for code in codes):
                    _release(rows[index + 1 :], "server closed the connection (421)", report)
                    report.connection_failed = True
                    break
            except smtplib.SMTPResponseException as exc:
                if 500 <= exc.smtp_code < 600:
                    _failed(row, _describe(exc), report)
                    continue
                _retry(row, _describe(exc), report)
                if exc.smtp_code == 421:
                    _release(rows[index + 1 :], "server closed the connection (421)", report)
                    report.connection_failed = True
                    break
            except (smtplib.SMTPException, OSError) as exc:  # disconnected, timed out, refused
                _retry(row, _describe(exc), report)
                _release(rows[index + 1 :], f"connection: {_describe(exc)}", report)
                report.connection_failed = True
                break
            else:
                _sent(row, subject, report)
    finally:
        try:
            mailer.close()
        except (smtplib.SMTPException, OSError):
            log.info("closing the SMTP connection failed", exc_info=True)


def outbox_send_due(
    *, max_seconds: float = 50.0, batch_size: int | None = None
) -> tuple[DeliveryReport, bool]:
    """Claim and send batches until nothing is due, the server fails, or the time is up.

    Returns the report and whether due rows may remain (the caller then runs again).
    """
    batch_size = batch_size or settings.NOTIFICATIONS_BATCH_SIZE
    report = DeliveryReport()
    stop_at = time.monotonic() + max_seconds
    while time.monotonic() < stop_at:
        rows = outbox_claim(limit=batch_size)
        if not rows:
            return report, False
        report.add(outbox_deliver(rows))
        if report.connection_failed:
            return report, False
    return report, True
