"""Business actions of the notifications app.

The single entry point for mail is ``notification_enqueue``: it writes an outbox row in the caller's
transaction (so a rolled-back action sends nothing) and asks a worker to send after the commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets
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
from authkeys.models import AuthKey
from certificates.models import Certificate
from certificates.tokens import read_verified_access_token
from guarantees.models import (
    KIND_SHORT_LABELS,
    Contractor,
    Guarantee,
    GuaranteeKind,
    OrdererDepartment,
)
from guarantees.services import audit_record
from portal.after_commit import after_commit, task_send

from . import tokens
from .audit_actions import (
    KEY_RECEIPT_CONFIRMED,
    KEY_SUBMITTED,
    SUBSCRIPTION_CANCELLED,
    SUBSCRIPTION_CONFIRMED,
)
from .errors import NotificationError
from .models import (
    DEFAULT_SUBJECT_TEMPLATE,
    ChangeSubscription,
    KeySubmission,
    NoticeRun,
    NoticeSchedule,
    OrdererMailTemplate,
    OutboxMessage,
    RegistrationNotice,
    RegistrationNoticeItem,
    render_subject_template,
)

#: The hour of the day's notice: versions registered before it are in that day's mail.
NOTICE_HOUR = 16
#: A second click on 「発注者へ提出」 within this time returns the first submission (no second mail).
RESUBMIT_WINDOW = dt.timedelta(minutes=10)
_BULK = 1000


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


def _checked_address(to: str) -> str:
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
            "to": _checked_address(to),
            "context": context,
            "next_attempt_at": timezone.now(),
        },
    )
    if created:
        _kick_sender()
    return row


def notifications_enqueue_many(drafts: Iterable[MailDraft]) -> int:
    """``notification_enqueue`` for many mails at once (bulk inserts; keys already queued are skipped)."""
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
                to=_checked_address(draft.to),
                context=draft.context,
                next_attempt_at=now,
            )
        )
        if len(batch) >= _BULK:
            count += len(OutboxMessage.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        count += len(OutboxMessage.objects.bulk_create(batch, ignore_conflicts=True))
    if count:
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
    # The contractors first, then their versions 500 contractors at a time: memory stays bounded,
    # and plain queries (no server-side cursor, which makes PostgreSQL favour fast-start plans).
    contractor_ids = sorted(set(pending.values_list("guarantee__contractor_id", flat=True)))

    base_url = settings.PORTAL_BASE_URL.rstrip("/") + "/"
    kind_labels = {kind: str(label) for kind, label in KIND_SHORT_LABELS.items()}
    for chunk in _pending_by_contractor(pending, contractor_ids, size=500):
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
        items: list[RegistrationNoticeItem] = []
        drafts: list[MailDraft] = []
        for notice, (contractor_id, contractor_rows) in zip(notices, chunk, strict=True):
            items.extend(
                RegistrationNoticeItem(notice=notice, certificate_id=row["id"]) for row in contractor_rows
            )
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
        RegistrationNoticeItem.objects.bulk_create(items, batch_size=_BULK)
        run.messages += notifications_enqueue_many(drafts)
        run.notices += len(notices)
    run.save(update_fields=["certificates", "notices", "messages"])
    schedule.last_run_at = now
    schedule.last_cutoff = cutoff
    schedule.save(update_fields=["last_run_at", "last_cutoff"])
    return run


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


# --- Keys straight to the orderer (発注者へ提出 and 受領確認) -----------------------------------------------
def submission_subject(*, guarantee: Guarantee) -> str:
    """The submission mail's subject, in the form the orderer asks for (or the default)."""
    template = (
        OrdererMailTemplate.objects.filter(orderer_id=guarantee.orderer_id)
        .values_list("subject_template", flat=True)
        .first()
    ) or DEFAULT_SUBJECT_TEMPLATE
    kind_names: dict[str, str] = {
        GuaranteeKind.ADVANCE: "前払金",
        GuaranteeKind.INTERIM_ADVANCE: "中間前払金",
        GuaranteeKind.CONTRACT: "契約",
    }
    subject = render_subject_template(
        template,
        {
            "区分": kind_names.get(guarantee.kind, guarantee.kind),
            "工事名": guarantee.work_name,
            "保証契約番号": guarantee.number,
            "発注者": guarantee.orderer.title,
            "保証契約者": guarantee.contractor.display_name,
        },
    )
    return " ".join(subject.split())[:250]


def submission_department(*, guarantee: Guarantee) -> OrdererDepartment | None:
    """Where 「発注者へ提出」 sends the key when the contractor names no department: the department
    registered on the guarantee, else the orderer's only department. A guarantee issued through
    e-Net names none, so an orderer with one department needs no choice; with several, the
    contractor chooses (None)."""
    if guarantee.orderer_department_id is not None:
        return guarantee.orderer_department
    departments = list(OrdererDepartment.objects.filter(orderer_id=guarantee.orderer_id)[:2])
    return departments[0] if len(departments) == 1 else None


@transaction.atomic(durable=True)
def key_submission_submit(
    *, guarantee: Guarantee, submitted_by: User, department: OrdererDepartment | None = None
) -> KeySubmission:
    """「発注者へ提出」: mail the key notice to the orderer department (the guarantee's, or one chosen)."""
    guarantee = (
        Guarantee.objects.select_for_update(of=("self",))
        .select_related("orderer", "contractor", "orderer_department")
        .get(pk=guarantee.pk)
    )
    if submitted_by.contractor_id is None or submitted_by.contractor_id != guarantee.contractor_id:
        raise NotificationError("not_yours", _("この保証契約の認証キーは提出できません。"))
    if not guarantee.is_electronic:
        raise NotificationError("paper", _("書面の保証証書には認証キーがありません。"))
    today = timezone.localdate()
    if not guarantee.is_in_force(today=today):
        # The screen hides the button for a guarantee out of force; the rule itself lives here, so a
        # POST made by hand (or from a page opened before the period ended) is refused alike.
        message = _("%(status)sの保証契約は提出できません。") % {
            "status": guarantee.display_status(today=today)
        }
        raise NotificationError("not_in_force", message)
    auth_key = AuthKey.objects.filter(guarantee=guarantee, revoked_at__isnull=True).first()
    if auth_key is None:
        raise NotificationError("no_key", _("この保証契約には認証キーがまだありません。"))
    if department is None:
        department = submission_department(guarantee=guarantee)
    if department is None:
        if OrdererDepartment.objects.filter(orderer_id=guarantee.orderer_id).exists():
            raise NotificationError(
                "choose_department", _("提出先の部署を選んでください。"), field="department"
            )
        raise NotificationError(
            "no_department",
            _("提出先の部署が登録されていません。取組場所の支店にお問い合わせください。"),
            field="department",
        )
    if department.orderer_id != guarantee.orderer_id:
        raise NotificationError(
            "other_orderer", _("提出先はこの保証契約の発注者の部署から選んでください。"), field="department"
        )
    recent = (
        KeySubmission.objects.filter(
            guarantee=guarantee,
            auth_key=auth_key,
            to__iexact=department.email,
            submitted_at__gte=timezone.now() - RESUBMIT_WINDOW,
        )
        .order_by("-submitted_at")
        .first()
    )
    if recent is not None:
        return recent  # a double click: the first submission's mail is on its way
    submission = KeySubmission.objects.create(
        guarantee=guarantee,
        auth_key=auth_key,
        department=department,
        department_name=str(department),
        to=department.email,
        subject=submission_subject(guarantee=guarantee),
        submitted_by=submitted_by,
    )
    notification_enqueue(
        kind=OutboxMessage.Kind.KEY_SUBMISSION,
        idempotency_key=f"key-submission:{submission.pk}",
        to=department.email,
        context={"submission_id": submission.pk},
    )
    audit_record(
        action=KEY_SUBMITTED,
        actor=submitted_by,
        guarantee=guarantee,
        data={"submission": submission.pk, "department": submission.department_name, "to": submission.to},
    )
    return submission


def _receipt_claim(token: str) -> KeySubmission:
    claim = tokens.read_link_token(token, purpose=tokens.RECEIPT)
    submission = None
    if claim is not None:
        submission = KeySubmission.objects.select_for_update().filter(pk=claim.pk).first()
        if submission is not None and not secrets.compare_digest(submission.nonce, claim.nonce):
            submission = None
    if submission is None:
        raise NotificationError(
            "invalid_link",
            _("この受領確認のリンクは無効か、有効期限が切れています。提出した受注者にお問い合わせください。"),
        )
    return submission


def _storable_address(value: str | None) -> str | None:
    """The client address as ``portal.client_address`` gives it (an IPv4 address or an IPv6 /64),
    or None when it is not one (an ``inet`` column refuses anything else)."""
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_network(value, strict=False) if "/" in value else ipaddress.ip_address(value))
    except ValueError:
        return None


@transaction.atomic(durable=True)
def key_submission_confirm(*, token: str, remote_addr: str | None) -> KeySubmission:
    """受領確認: the orderer confirms the key arrived. A second click changes nothing."""
    submission = _receipt_claim(token)
    if submission.confirmed_at is None:
        submission.confirmed_at = timezone.now()
        submission.confirmed_from = _storable_address(remote_addr)
        submission.save(update_fields=["confirmed_at", "confirmed_from"])
        audit_record(
            action=KEY_RECEIPT_CONFIRMED,
            actor=None,
            guarantee=submission.guarantee,
            data={"submission": submission.pk, "department": submission.department_name},
        )
    return submission


def key_submission_for_token(*, token: str) -> KeySubmission:
    """The submission a 受領確認 link names (for the page that asks to confirm), without recording."""
    with transaction.atomic():
        return _receipt_claim(token)


# --- Change subscriptions ----------------------------------------------------------------------------
@transaction.atomic(durable=True)
def subscription_request(*, access_token: str, email: str) -> ChangeSubscription:
    """After verifying, an orderer asks that ``email`` hear about changes and cancellation.

    A confirmation link is mailed to the address; the subscription is active once it is opened.
    """
    access = read_verified_access_token(access_token)
    certificate = (
        Certificate.objects.select_related("guarantee").filter(pk=access.certificate_id).first()
        if access is not None
        else None
    )
    if certificate is None:
        raise NotificationError(
            "invalid_access",
            _("照会の有効期限が切れました。保証契約番号と認証キーでもう一度照会してください。"),
        )
    email = _checked_address(email)
    existing = ChangeSubscription.objects.filter(
        guarantee=certificate.guarantee, email__iexact=email, unsubscribed_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    subscription = ChangeSubscription.objects.create(
        guarantee=certificate.guarantee,
        email=email,
        verification_id=access.verification_id if access is not None else None,
    )
    notification_enqueue(
        kind=OutboxMessage.Kind.SUBSCRIPTION_CONFIRM,
        idempotency_key=f"subscription-confirm:{subscription.pk}",
        to=email,
        context={"subscription_id": subscription.pk},
    )
    return subscription


def _subscription_claim(token: str, *, purpose: str) -> ChangeSubscription:
    claim = tokens.read_link_token(token, purpose=purpose)
    subscription = None
    if claim is not None:
        subscription = ChangeSubscription.objects.select_for_update().filter(pk=claim.pk).first()
        if subscription is not None and not secrets.compare_digest(subscription.nonce, claim.nonce):
            subscription = None
    if subscription is None:
        raise NotificationError("invalid_link", _("このリンクは無効か、有効期限が切れています。"))
    return subscription


def read_subscription_link(*, token: str, purpose: str) -> ChangeSubscription:
    """The subscription a confirm/unsubscribe link names, without changing it (for the GET page)."""
    salt = tokens.SUBSCRIPTION_CONFIRM if purpose == "confirm" else tokens.UNSUBSCRIBE
    with transaction.atomic():
        return _subscription_claim(token, purpose=salt)


@transaction.atomic(durable=True)
def subscription_confirm(*, token: str) -> ChangeSubscription:
    subscription = _subscription_claim(token, purpose=tokens.SUBSCRIPTION_CONFIRM)
    if subscription.unsubscribed_at is not None:
        raise NotificationError("unsubscribed", _("この通知の登録は停止されています。"))
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
        audit_record(
            action=SUBSCRIPTION_CONFIRMED,
            actor=None,
            guarantee=subscription.guarantee,
            data={"subscription": subscription.pk},
        )
    return subscription


@transaction.atomic(durable=True)
def subscription_cancel(*, token: str) -> ChangeSubscription:
    subscription = _subscription_claim(token, purpose=tokens.UNSUBSCRIBE)
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
        audit_record(
            action=SUBSCRIPTION_CANCELLED,
            actor=None,
            guarantee=subscription.guarantee,
            data={"subscription": subscription.pk},
        )
    return subscription


def subscriptions_notify_change(*, certificate: Certificate) -> int:
    """Queue a mail to every confirmed subscriber of a guarantee that got a new (変更) version.

    Called in the transaction that created the version (see signals.py).
    """
    subscriptions = ChangeSubscription.objects.filter(
        guarantee_id=certificate.guarantee_id, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).values_list("pk", "email")
    return notifications_enqueue_many(
        MailDraft(
            kind=OutboxMessage.Kind.CERTIFICATE_CHANGED,
            idempotency_key=f"certificate-changed:{pk}:{certificate.pk}",
            to=email,
            context={"subscription_id": pk, "certificate_id": certificate.pk},
        )
        for pk, email in subscriptions
    )


def subscriptions_notify_end(*, guarantee: Guarantee) -> int:
    """Queue a mail to every confirmed subscriber of a guarantee that was cancelled or revoked."""
    subscriptions = ChangeSubscription.objects.filter(
        guarantee_id=guarantee.pk, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).values_list("pk", "email")
    return notifications_enqueue_many(
        MailDraft(
            kind=OutboxMessage.Kind.GUARANTEE_ENDED,
            idempotency_key=f"guarantee-ended:{pk}:{guarantee.status}",
            to=email,
            context={"subscription_id": pk, "status": guarantee.status},
        )
        for pk, email in subscriptions
    )


__all__ = [
    "MailDraft",
    "key_submission_confirm",
    "key_submission_submit",
    "notification_enqueue",
    "notifications_enqueue_many",
    "outbox_resend",
    "registration_notice_run",
    "subscription_cancel",
    "subscription_confirm",
    "subscription_request",
]
