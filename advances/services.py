"""Business actions of an advance's paperwork: the 前払金使途内訳明細書 and the 前払金払出依頼書.

Each is one durable transaction that writes its audit row. The contractor of an active advance (or
interim advance) guarantee writes them; the branch's staff read them in admin.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from guarantees.models import Guarantee, GuaranteeKind
from guarantees.services import audit_record

from .audit_actions import USE_PLAN_AMENDED, USE_PLAN_SAVED, WITHDRAWAL_REQUESTED
from .errors import AdvanceError
from .models import (
    UNDECIDED,
    AdvanceUsePlan,
    AdvanceUsePlanRevision,
    AdvanceUseRow,
    PayoutMethod,
    UseCategory,
    WithdrawalLine,
    WithdrawalRequest,
)


@dataclass(frozen=True)
class UseRowInput:
    category: str
    advance_use: int
    payout_method: str
    total_required: int | None = None
    quantity: str = ""
    payout_schedule: str = ""
    payee: str = ""


@dataclass(frozen=True)
class WithdrawalLineInput:
    category: str
    payee: str
    amount: int


def _advance_for_paperwork(guarantee: Guarantee, user: User) -> Guarantee:
    locked = Guarantee.objects.select_for_update().get(pk=guarantee.pk)
    if user.contractor_id is None or locked.contractor_id != user.contractor_id:
        raise AdvanceError("not_owner", _("この保証契約の書類を作成する権限がありません。"))
    if locked.kind not in (GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE):
        raise AdvanceError("not_an_advance", _("使途内訳・払出依頼は前払金保証・中間前払金保証に限ります。"))
    if locked.status != Guarantee.Status.ACTIVE:
        raise AdvanceError("not_active", _("有効でない保証契約の書類は作成できません。"))
    return locked


def _withdrawn_by_category(guarantee: Guarantee) -> dict[str, int]:
    rows = (
        WithdrawalLine.objects.filter(request__guarantee=guarantee)
        .values("category")
        .annotate(total=Sum("amount"))
    )
    return {row["category"]: row["total"] for row in rows}


def _or_undecided(value: str) -> str:
    return value.strip() or UNDECIDED


@transaction.atomic(durable=True)
def use_plan_save(*, guarantee: Guarantee, user: User, rows: list[UseRowInput]) -> AdvanceUsePlan:
    """Create or amend the 使途内訳明細書: the rows' 前払金使用金額 must add up to the advance.

    Unknown quantities, schedules and payees are stored as 未定 and amended later; an amendment may
    not put a use below what was already withdrawn for it.
    """
    guarantee = _advance_for_paperwork(guarantee, user)
    if not rows:
        raise AdvanceError("rows_required", _("使途を1行以上入力してください。"))
    for index, row in enumerate(rows, start=1):
        where = _("%(n)d行目: ") % {"n": index}
        if row.category not in UseCategory.values:
            raise AdvanceError(
                "unknown_category", where + _("前払金を使用できない項目です。"), field="category"
            )
        if row.payout_method not in PayoutMethod.values:
            raise AdvanceError(
                "unknown_method", where + _("払出方法を選んでください。"), field="payout_method"
            )
        if row.advance_use <= 0:
            raise AdvanceError("use_not_positive", where + _("前払金使用金額は1円以上にしてください。"))
        if row.total_required is not None and row.total_required < row.advance_use:
            raise AdvanceError(
                "use_above_required",
                where + _("前払金使用金額は全所要金額以下にしてください。"),
                field="advance_use",
            )
    total = sum(row.advance_use for row in rows)
    if total != guarantee.guarantee_amount:
        raise AdvanceError(
            "total_mismatch",
            _("前払金使用金額の合計（%(total)s円）が前払金額（%(advance)s円）と一致しません。")
            % {"total": f"{total:,}", "advance": f"{guarantee.guarantee_amount:,}"},
        )
    planned: dict[str, int] = {}
    for row in rows:
        planned[row.category] = planned.get(row.category, 0) + row.advance_use
    for category, withdrawn in _withdrawn_by_category(guarantee).items():
        if planned.get(category, 0) < withdrawn:
            raise AdvanceError(
                "below_withdrawn",
                _("%(category)sは既に%(withdrawn)s円を払い出しています。それ以上の額にしてください。")
                % {"category": UseCategory(category).label, "withdrawn": f"{withdrawn:,}"},
            )
    plan = AdvanceUsePlan.objects.filter(guarantee=guarantee).first()
    if plan is None:
        plan = AdvanceUsePlan.objects.create(guarantee=guarantee, updated_by=user, revision=1)
        action = USE_PLAN_SAVED
    else:
        # An amendment is a new revision; the revisions before it stay as they were saved (the
        # surety company may have approved one of them).
        plan.revision += 1
        plan.updated_by = user
        plan.save(update_fields=["revision", "updated_by", "updated_at"])
        action = USE_PLAN_AMENDED
    revision = AdvanceUsePlanRevision.objects.create(
        plan=plan, number=plan.revision, advance_amount=guarantee.guarantee_amount, created_by=user
    )
    AdvanceUseRow.objects.bulk_create(
        AdvanceUseRow(
            revision=revision,
            position=index,
            category=row.category,
            quantity=_or_undecided(row.quantity),
            total_required=row.total_required,
            advance_use=row.advance_use,
            payout_method=row.payout_method,
            payout_schedule=_or_undecided(row.payout_schedule),
            payee=_or_undecided(row.payee),
        )
        for index, row in enumerate(rows, start=1)
    )
    audit_record(
        action=action,
        actor=user,
        guarantee=guarantee,
        data={
            "plan": plan.pk,
            "revision": revision.number,
            "advance_amount": guarantee.guarantee_amount,
            "rows": len(rows),
            "total": total,
        },
    )
    return plan


@transaction.atomic(durable=True)
def withdrawal_request_create(
    *, guarantee: Guarantee, user: User, requested_on: dt.date, lines: list[WithdrawalLineInput]
) -> WithdrawalRequest:
    """A 払出依頼書, checked against the remaining balance and the 使途 rows (per category, payee)."""
    guarantee = _advance_for_paperwork(guarantee, user)
    plan = AdvanceUsePlan.objects.filter(guarantee=guarantee).first()
    if plan is None:
        raise AdvanceError("no_plan", _("先に前払金使途内訳明細書を作成してください。"))
    if not lines:
        raise AdvanceError("lines_required", _("払出の内訳を1行以上入力してください。"))
    plan_rows = list(plan.rows.all())
    withdrawn = _withdrawn_by_category(guarantee)
    asked: dict[str, int] = {}
    for index, line in enumerate(lines, start=1):
        where = _("%(n)d行目: ") % {"n": index}
        rows = [row for row in plan_rows if row.category == line.category]
        if not rows:
            raise AdvanceError(
                "category_not_planned", where + _("この項目は使途内訳明細書にありません。"), field="category"
            )
        if line.amount <= 0:
            raise AdvanceError(
                "amount_not_positive", where + _("金額は1円以上にしてください。"), field="amount"
            )
        payee = line.payee.strip()
        if not payee or payee == UNDECIDED:
            raise AdvanceError("payee_required", where + _("支払先を入力してください。"), field="payee")
        payees = {row.payee for row in rows}
        if UNDECIDED not in payees and payee not in payees:
            raise AdvanceError(
                "payee_not_planned",
                where
                + _(
                    "支払先「%(payee)s」は使途内訳明細書の%(category)sにありません"
                    "（明細書の支払先: %(payees)s）。明細書を変更してください。"
                )
                % {
                    "payee": payee,
                    "category": UseCategory(line.category).label,
                    "payees": "、".join(sorted(payees)),
                },
                field="payee",
            )
        asked[line.category] = asked.get(line.category, 0) + line.amount
    total = sum(asked.values())
    balance = guarantee.guarantee_amount - sum(withdrawn.values())
    if total > balance:
        planned = sum(row.advance_use for row in plan_rows)
        if planned > guarantee.guarantee_amount:
            # After a 減額 the plan may still allocate the old advance: the advance decides.
            message = _(
                "払出額（%(total)s円）が前払金の残高（%(balance)s円）を超えています。"
                "減額後の前払金額は%(advance)s円で、使途内訳明細書の合計（%(planned)s円）まで"
                "は払い出せません。明細書を減額後の前払金額に合わせて変更してください。"
            ) % {
                "total": f"{total:,}",
                "balance": f"{balance:,}",
                "advance": f"{guarantee.guarantee_amount:,}",
                "planned": f"{planned:,}",
            }
        else:
            message = _("払出額（%(total)s円）が前払金の残高（%(balance)s円）を超えています。") % {
                "total": f"{total:,}",
                "balance": f"{balance:,}",
            }
        raise AdvanceError("balance_exceeded", message, field="amount")
    for category, amount in asked.items():
        room = sum(row.advance_use for row in plan_rows if row.category == category) - withdrawn.get(
            category, 0
        )
        if amount > room:
            raise AdvanceError(
                "category_exceeded",
                _("%(category)sの払出額（%(amount)s円）が使途の残り（%(room)s円）を超えています。")
                % {"category": UseCategory(category).label, "amount": f"{amount:,}", "room": f"{room:,}"},
                field="amount",
            )
    request = WithdrawalRequest.objects.create(
        guarantee=guarantee,
        sequence=WithdrawalRequest.objects.filter(guarantee=guarantee).count() + 1,
        requested_on=requested_on,
        total=total,
        balance_after=balance - total,
        created_by=user,
    )
    WithdrawalLine.objects.bulk_create(
        WithdrawalLine(request=request, category=line.category, payee=line.payee.strip(), amount=line.amount)
        for line in lines
    )
    audit_record(
        action=WITHDRAWAL_REQUESTED,
        actor=user,
        guarantee=guarantee,
        data={
            "request": request.pk,
            "sequence": request.sequence,
            "plan_revision": plan.revision,
            "total": total,
            "balance_after": request.balance_after,
        },
    )
    return request
