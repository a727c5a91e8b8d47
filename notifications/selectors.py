"""Reads for other screens: the state of key submissions, the outbox, the last notice run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from certificates.models import Certificate
from guarantees.models import Guarantee

from .models import KeySubmission, NoticeRun, OutboxMessage


@dataclass(frozen=True)
class SubmissionState:
    """The latest 「発注者へ提出」 of a guarantee: 提出済 (submitted_at) or 受領確認済 (confirmed_at)."""

    submission_id: int
    state: str  # KeySubmission.State value: "submitted" or "confirmed"
    label: str  # 提出済 / 受領確認済
    at: dt.datetime  # when submitted, or when confirmed
    submitted_at: dt.datetime
    confirmed_at: dt.datetime | None
    department_name: str


def submission_states(guarantee_ids: Iterable[int]) -> dict[int, SubmissionState]:
    """The latest submission per guarantee, in one query; guarantees never submitted are absent.

    Every row of 保証工事一覧 asks: a plain query of one table (whether its mail has gone out is the
    outbox's, shown to staff in admin)."""
    ids = list(guarantee_ids)
    if not ids:
        return {}
    rows = (
        KeySubmission.objects.filter(guarantee_id__in=ids)
        .order_by("guarantee_id", "-submitted_at", "-id")
        .values_list("guarantee_id", "pk", "submitted_at", "confirmed_at", "department_name")
    )
    latest: dict[int, tuple[int, dt.datetime, dt.datetime | None, str]] = {}
    for guarantee_id, pk, submitted_at, confirmed_at, department_name in rows:
        latest.setdefault(guarantee_id, (pk, submitted_at, confirmed_at, department_name))
    states = {}
    for guarantee_id, (pk, submitted_at, confirmed_at, department_name) in latest.items():
        confirmed = confirmed_at is not None
        state = KeySubmission.State.CONFIRMED if confirmed else KeySubmission.State.SUBMITTED
        states[guarantee_id] = SubmissionState(
            submission_id=pk,
            state=state.value,
            label=str(state.label),
            at=confirmed_at if confirmed_at is not None else submitted_at,
            submitted_at=submitted_at,
            confirmed_at=confirmed_at,
            department_name=department_name,
        )
    return states


def submissions_of_guarantee(*, guarantee_id: int) -> list[KeySubmission]:
    return list(KeySubmission.objects.filter(guarantee_id=guarantee_id).order_by("-submitted_at", "-id"))


def last_notice_run() -> NoticeRun | None:
    return NoticeRun.objects.order_by("-started_at", "-id").first()


def outbox_oldest_unsent_at() -> dt.datetime | None:
    """When the oldest mail still waiting (queued, retry or sending) was written, for /healthz."""
    return (
        OutboxMessage.objects.filter(
            state__in=[OutboxMessage.State.QUEUED, OutboxMessage.State.RETRY, OutboxMessage.State.SENDING]
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def pending_notice_counts(*, contractor_ids: Iterable[int]) -> dict[int, int]:
    """How many electronic certificate versions of each contractor no registration notice has
    announced yet: what staff's お急ぎ run would mail now."""
    rows = (
        Certificate.objects.filter(
            medium=Guarantee.Medium.ELECTRONIC,
            registration_notice_item__isnull=True,
            guarantee__contractor_id__in=list(contractor_ids),
        )
        .values("guarantee__contractor_id")
        .annotate(count=Count("id"))
    )
    return {row["guarantee__contractor_id"]: row["count"] for row in rows}
