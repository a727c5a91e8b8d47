"""Reads of an advance's paperwork: the contractor's own advance, the balance, the plan's revisions
and the warning of a plan above the advance (after a 減額)."""

from __future__ import annotations

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from guarantees.models import Guarantee, GuaranteeKind

from .models import AdvanceUsePlan, AdvanceUsePlanRevision, AdvanceUseRow, WithdrawalRequest


def advance_of(*, user: User, number: str) -> Guarantee | None:
    """A contractor's own advance (or interim advance) guarantee by number, for its paperwork."""
    if user.contractor_id is None:
        return None
    return (
        Guarantee.objects.filter(
            contractor_id=user.contractor_id,
            kind__in=[GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE],
            number=number,
        )
        .select_related("orderer")
        .first()
    )


def withdrawal_history(*, guarantee: Guarantee) -> QuerySet[WithdrawalRequest]:
    return (
        WithdrawalRequest.objects.filter(guarantee=guarantee).prefetch_related("lines").order_by("sequence")
    )


def withdrawn_total(*, guarantee: Guarantee) -> int:
    """What was requested out of the advance so far, every 払出依頼書 added up (0 before the first)."""
    withdrawn = WithdrawalRequest.objects.filter(guarantee=guarantee).aggregate(total=Sum("total"))["total"]
    return int(withdrawn or 0)


def advance_balance(*, guarantee: Guarantee) -> int:
    """What remains of the advance: the advance less every withdrawal requested so far."""
    return guarantee.guarantee_amount - withdrawn_total(guarantee=guarantee)


# --- The 使途内訳明細書 against the advance it plans ------------------------------------------------


def use_plan_current(*, guarantee: Guarantee) -> AdvanceUsePlanRevision | None:
    """The current (latest) revision of the guarantee's 使途内訳明細書, or None before the first."""
    return (
        AdvanceUsePlanRevision.objects.filter(plan__guarantee=guarantee)
        .select_related("plan", "created_by")
        .order_by("-number")
        .first()
    )


def use_plan_revisions(*, plan: AdvanceUsePlan) -> list[AdvanceUsePlanRevision]:
    """Every revision, newest first, with its rows (two queries for any number of revisions)."""
    return list(plan.revisions.select_related("created_by").prefetch_related("rows").order_by("-number"))


def planned_total_subquery(guarantee_ref: str = "pk") -> Subquery:
    """The 前払金使用金額 of the current revision of the plan of the guarantee ``guarantee_ref``
    names in the outer query (None without a plan)."""
    rows = (
        AdvanceUseRow.objects.filter(
            revision__plan__guarantee=OuterRef(guarantee_ref), revision__number=F("revision__plan__revision")
        )
        .values("revision__plan")
        .annotate(total=Sum("advance_use"))
        .values("total")
    )
    return Subquery(rows)


def use_plan_planned_total(*, guarantee: Guarantee) -> int:
    """The 前払金使用金額 of the current 使途内訳明細書 (0 without one)."""
    planned = AdvanceUseRow.objects.filter(
        revision__plan__guarantee=guarantee, revision__number=F("revision__plan__revision")
    ).aggregate(total=Sum("advance_use"))["total"]
    return int(planned or 0)


def use_plan_excess_message(*, planned: int, advance: int) -> str:
    """The one warning for a 使途内訳明細書 that plans more than the advance (after a 減額): the
    contractor's plan, paperwork and certificate screens and the clerk's admin all show this; ''
    when the plan fits."""
    if planned <= advance:
        return ""
    return _(
        "使途内訳明細書の前払金使用金額の合計（%(planned)s円）が前払金額（%(advance)s円）を"
        "%(excess)s円超えています。減額後の前払金額に合わせて明細書を変更してください。"
    ) % {"planned": f"{planned:,}", "advance": f"{advance:,}", "excess": f"{planned - advance:,}"}


def use_plan_warning(*, guarantee: Guarantee) -> str:
    """``use_plan_excess_message`` for one guarantee ('' without a plan or when it fits)."""
    if guarantee.kind not in (GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE):
        return ""
    return use_plan_excess_message(
        planned=use_plan_planned_total(guarantee=guarantee), advance=guarantee.guarantee_amount
    )
