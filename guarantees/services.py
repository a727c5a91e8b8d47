"""Business actions on guarantees. Each public action is one durable transaction with its audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from . import rules
from .audit import AuditAction, require_registered
from .audit_actions import GUARANTEE_CANCELLED, GUARANTEE_REGISTERED, GUARANTEE_REVOKED
from .errors import GuaranteeError
from .models import (
    KIND_NUMBER_CODES,
    AuditEvent,
    Bank,
    Branch,
    Contractor,
    Guarantee,
    GuaranteeKind,
    GuaranteeNumberSequence,
    Orderer,
    OrdererDepartment,
)
from .numbers import is_well_formed_contract_number
from .status import guarantee_status

MAX_SERIAL = 99999


def audit_record(
    *,
    action: AuditAction,
    actor: User | None,
    guarantee: Guarantee | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. Call it inside the transaction of the change it records.

    ``action`` is one an app registered (its ``audit_actions`` module, ``guarantees.audit``); a plain
    string or an unregistered action is refused before anything is written.
    """
    return AuditEvent.objects.create(
        action=str(require_registered(action)),
        actor=actor if actor is not None and actor.pk else None,
        guarantee=guarantee,
        data=data or {},
    )


def guarantee_number_allocate(*, branch: Branch, kind: str) -> str:
    """The next 保証契約番号 for (branch, kind): branch code 3 + kind 2 + serial 5.

    The sequence row is locked until the caller's transaction ends, so two clerks never get the same
    number, and a rolled-back registration gives its number back (no gaps).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("guarantee_number_allocate must run inside the registering transaction")
    GuaranteeNumberSequence.objects.get_or_create(branch=branch, kind=kind)
    sequence = GuaranteeNumberSequence.objects.select_for_update().get(branch=branch, kind=kind)
    if sequence.last_serial >= MAX_SERIAL:
        raise GuaranteeError(
            "numbers_exhausted",
            _("%(branch)sの%(kind)sの保証契約番号を使い切りました。管理者に連絡してください。")
            % {"branch": branch.name, "kind": GuaranteeKind(kind).label},
        )
    sequence.last_serial += 1
    sequence.save(update_fields=["last_serial"])
    return f"{branch.code}{KIND_NUMBER_CODES[kind]}{sequence.last_serial:05d}"


def _take_over_number(*, branch: Branch, kind: str, number: str) -> None:
    """Accept a number allocated elsewhere and move the sequence past it."""
    prefix = f"{branch.code}{KIND_NUMBER_CODES[kind]}"
    if not is_well_formed_contract_number(number) or not number.startswith(prefix):
        raise GuaranteeError(
            "number_mismatch",
            _("保証契約番号は支店コードと区分に合う10桁（%(prefix)s＋5桁）にしてください。")
            % {"prefix": prefix},
            field="number",
        )
    if Guarantee.objects.filter(number=number).exists():
        raise GuaranteeError("number_taken", _("この保証契約番号は既に使われています。"), field="number")
    GuaranteeNumberSequence.objects.get_or_create(branch=branch, kind=kind)
    sequence = GuaranteeNumberSequence.objects.select_for_update().get(branch=branch, kind=kind)
    if sequence.last_serial < int(number[5:]):
        sequence.last_serial = int(number[5:])
        sequence.save(update_fields=["last_serial"])


@transaction.atomic
def guarantee_register(
    *,
    kind: str,
    contractor: Contractor,
    orderer: Orderer,
    branch: Branch,
    work_name: str,
    contract_amount_total: int,
    contract_amount_target: int,
    guarantee_amount: int,
    concluded_on: dt.date,
    guarantee_period_end: dt.date,
    construction_end_date: dt.date,
    registered_by: User | None,
    bank: Bank | None = None,
    parent: Guarantee | None = None,
    orderer_department: OrdererDepartment | None = None,
    number: str | None = None,
) -> Guarantee:
    """Record a concluded guarantee contract and allocate its number.

    ``number`` is only for taking over contracts numbered elsewhere (the demo data, a migration);
    normally the number is allocated here.
    """
    if kind not in GuaranteeKind.values:
        raise GuaranteeError("unknown_kind", _("保証の区分が正しくありません。"), field="kind")
    work_name = work_name.strip()
    if not work_name:
        raise GuaranteeError("work_name_required", _("工事名を入力してください。"), field="work_name")
    if kind != GuaranteeKind.ADVANCE and parent is not None:
        if parent.kind != GuaranteeKind.ADVANCE:
            raise GuaranteeError(
                "parent_not_advance", _("元の保証は前払金保証を指定してください。"), field="parent"
            )
        if parent.orderer_id != orderer.pk or parent.contractor_id != contractor.pk:
            raise GuaranteeError(
                "parent_mismatch", _("元の前払金保証と発注者・保証契約者が一致しません。"), field="parent"
            )
    if kind == GuaranteeKind.INTERIM_ADVANCE and parent is None:
        raise GuaranteeError(
            "interim_needs_advance", _("中間前払金保証には元の前払金保証を指定してください。"), field="parent"
        )
    rules.validate_amounts(
        orderer=orderer,
        kind=kind,
        contract_amount_total=contract_amount_total,
        contract_amount_target=contract_amount_target,
        guarantee_amount=guarantee_amount,
    )
    rules.validate_dates(
        concluded_on=concluded_on,
        guarantee_period_end=guarantee_period_end,
        construction_end_date=construction_end_date,
    )
    if number is None:
        number = guarantee_number_allocate(branch=branch, kind=kind)
    else:
        _take_over_number(branch=branch, kind=kind, number=number)
    guarantee = Guarantee.objects.create(
        number=number,
        kind=kind,
        parent=parent,
        contractor=contractor,
        orderer=orderer,
        orderer_department=orderer_department,
        branch=branch,
        bank=bank,
        work_name=work_name,
        contract_amount_total=contract_amount_total,
        contract_amount_target=contract_amount_target,
        guarantee_amount=guarantee_amount,
        concluded_on=concluded_on,
        guarantee_period_end=guarantee_period_end,
        construction_end_date=construction_end_date,
        medium=rules.medium_for(orderer=orderer, kind=kind, concluded_on=concluded_on, parent=parent),
    )
    audit_record(
        action=GUARANTEE_REGISTERED,
        actor=registered_by,
        guarantee=guarantee,
        data={"number": number, "kind": kind, "medium": guarantee.medium},
    )
    return guarantee


def _end(
    *, guarantee: Guarantee, status: str, action: AuditAction, by: User | None, on: dt.date, reason: str
) -> Guarantee:
    locked = Guarantee.objects.select_for_update().get(pk=guarantee.pk)
    if locked.status != Guarantee.Status.ACTIVE:
        raise GuaranteeError(
            "not_active",
            _("この保証契約は既に%(status)sです。") % {"status": guarantee_status(locked).label},
        )
    reason = reason.strip()
    if not reason:
        raise GuaranteeError("reason_required", _("理由を入力してください。"), field="reason")
    locked.status = status
    locked.status_changed_on = on
    locked.status_reason = reason
    locked.save(update_fields=["status", "status_changed_on", "status_reason", "updated_at"])
    audit_record(action=action, actor=by, guarantee=locked, data={"on": on.isoformat(), "reason": reason})
    return locked


@transaction.atomic
def guarantee_cancel(
    *, guarantee: Guarantee, cancelled_by: User | None, reason: str, cancelled_on: dt.date | None = None
) -> Guarantee:
    """解約: the guarantee ends at the contractor's request (or the work's cancellation)."""
    return _end(
        guarantee=guarantee,
        status=Guarantee.Status.CANCELLED,
        action=GUARANTEE_CANCELLED,
        by=cancelled_by,
        on=cancelled_on or timezone.localdate(),
        reason=reason,
    )


@transaction.atomic
def guarantee_revoke(
    *, guarantee: Guarantee, revoked_by: User | None, reason: str, revoked_on: dt.date | None = None
) -> Guarantee:
    """取消: the guarantee was issued in error and is void."""
    return _end(
        guarantee=guarantee,
        status=Guarantee.Status.REVOKED,
        action=GUARANTEE_REVOKED,
        by=revoked_by,
        on=revoked_on or timezone.localdate(),
        reason=reason,
    )
