"""Keys straight to the orderer: 「発注者へ提出」 mails the key to the orderer's department, and
the department's 受領確認 link records the receipt."""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from authkeys.models import AuthKey
from guarantees.models import Guarantee, GuaranteeKind, OrdererDepartment
from guarantees.services import audit_record

from . import tokens
from .audit_actions import (
    KEY_RECEIPT_CONFIRMED,
    KEY_SUBMITTED,
)
from .errors import NotificationError
from .models import (
    DEFAULT_SUBJECT_TEMPLATE,
    KeySubmission,
    OrdererMailTemplate,
    OutboxMessage,
    render_subject_template,
)
from .services import notification_enqueue

#: A second click on 「発注者へ提出」 within this time returns the first submission (no second mail).
RESUBMIT_WINDOW = dt.timedelta(minutes=10)


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
