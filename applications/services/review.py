"""The branch clerk's side of an application: review, 差戻し, 謝絶, approval, the fee, 発行."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from certificates.services import certificate_issue, guarantee_change
from guarantees.services import guarantee_cancel, guarantee_register

from .. import changes
from ..errors import ApplicationError
from ..models import Application, ApplicationTransition
from .transitions import incomplete, locked, move, require_clerk, require_state, target_of

State = Application.State
Event = ApplicationTransition.Event


# --- Staff: review ----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def application_review_start(*, application: Application, clerk: User) -> Application:
    application = locked(application)
    require_clerk(application, clerk)
    require_state(application, Event.REVIEW_STARTED, State.SUBMITTED)
    move(application, event=Event.REVIEW_STARTED, to_state=State.IN_REVIEW, actor=clerk)
    return application


@transaction.atomic(durable=True)
def application_return(*, application: Application, clerk: User, comment: str) -> Application:
    """差戻し: back to the contractor, editable, with the clerk's comment saying what to correct."""
    application = locked(application)
    require_clerk(application, clerk)
    require_state(application, Event.RETURNED, State.IN_REVIEW)
    comment = comment.strip()
    if not comment:
        raise ApplicationError(
            "comment_required", _("差戻しの理由（修正してほしい点）を入力してください。"), field="comment"
        )
    move(application, event=Event.RETURNED, to_state=State.RETURNED, actor=clerk, comment=comment)
    return application


@transaction.atomic(durable=True)
def application_refuse(*, application: Application, clerk: User, reason: str) -> Application:
    """謝絶: the guarantee is declined; the application is closed."""
    application = locked(application)
    require_clerk(application, clerk)
    require_state(application, Event.REFUSED, State.IN_REVIEW)
    reason = reason.strip()
    if not reason:
        raise ApplicationError("reason_required", _("謝絶の理由を入力してください。"), field="comment")
    move(application, event=Event.REFUSED, to_state=State.REFUSED, actor=clerk, comment=reason)
    return application


@transaction.atomic(durable=True)
def application_approve(*, application: Application, clerk: User) -> Application:
    """承認: the guarantee is accepted. With a fee it waits for the payment; a change or 解約
    without a fee is applied at once."""
    application = locked(application)
    require_clerk(application, clerk)
    require_state(application, Event.APPROVED, State.IN_REVIEW)
    if application.fee_amount:
        move(application, event=Event.APPROVED, to_state=State.AWAITING_FEE, actor=clerk)
        return application
    if application.purpose == Application.Purpose.NEW:
        raise ApplicationError(
            "no_fee", _("保証料が計算されていません。差し戻して再申込を依頼してください。")
        )
    move(application, event=Event.APPROVED, to_state=State.IN_REVIEW, actor=clerk)
    _apply_change(application, clerk)
    return application


@transaction.atomic(durable=True)
def application_fee_record(
    *, application: Application, clerk: User, amount: int, paid_on: dt.date, today: dt.date | None = None
) -> Application:
    """Record the fee payment: the amount must be the quoted fee; the date not in the future."""
    application = locked(application)
    require_clerk(application, clerk)
    require_state(application, Event.FEE_RECORDED, State.AWAITING_FEE)
    if application.fee_is_paid:
        raise ApplicationError("fee_already_recorded", _("保証料の入金は記録済みです。"))
    if amount != application.fee_amount:
        raise ApplicationError(
            "fee_mismatch",
            _("入金額（%(paid)s円）が保証料（%(fee)s円）と一致しません。")
            % {"paid": f"{amount:,}", "fee": f"{application.fee_amount or 0:,}"},
            field="amount",
        )
    today = today or timezone.localdate()
    if paid_on > today:
        raise ApplicationError("paid_in_future", _("入金日は今日以前の日付にしてください。"), field="paid_on")
    submitted_on = timezone.localdate(application.submitted_at) if application.submitted_at else today
    if paid_on < submitted_on:
        raise ApplicationError(
            "paid_before_submission", _("入金日は申込日以後の日付にしてください。"), field="paid_on"
        )
    application.fee_paid_amount = amount
    application.fee_paid_on = paid_on
    move(
        application,
        event=Event.FEE_RECORDED,
        to_state=State.AWAITING_FEE,
        actor=clerk,
        data={"amount": amount, "paid_on": paid_on.isoformat()},
        update_fields=("fee_paid_amount", "fee_paid_on"),
    )
    return application


@transaction.atomic(durable=True)
def application_issue(*, application: Application, clerk: User) -> Application:
    """発行: after approval and payment, conclude the guarantee — number, certificate version 1 and
    (electronic) 認証キー in this one transaction — or apply the paid change."""
    application = locked(application)
    require_clerk(application, clerk)
    require_state(application, Event.ISSUED, State.AWAITING_FEE)
    if not application.fee_is_paid:
        raise ApplicationError("fee_not_paid", _("保証料の入金を記録してから発行してください。"))
    if application.purpose != Application.Purpose.NEW:
        _apply_change(application, clerk)
        return application
    period_end = application.effective_period_end
    if (
        application.orderer is None
        or application.branch is None
        or application.construction_end is None
        or period_end is None
    ):
        raise incomplete()
    parent = application.parent_guarantee
    if parent is None and application.parent_application_id is not None:
        parent = Application.objects.get(pk=application.parent_application_id).guarantee
    guarantee = guarantee_register(
        kind=application.kind,
        contractor=application.contractor,
        orderer=application.orderer,
        branch=application.branch,
        bank=application.bank,
        parent=parent,
        work_name=application.work_name,
        contract_amount_total=application.contract_amount_total or 0,
        contract_amount_target=application.target_amount or 0,
        guarantee_amount=application.guarantee_amount or 0,
        concluded_on=timezone.localdate(),
        guarantee_period_end=period_end,
        construction_end_date=application.construction_end,
        registered_by=clerk,
    )
    certificate = certificate_issue(guarantee=guarantee, issued_by=clerk)
    application.guarantee = guarantee
    application.outcome_note = _("保証契約番号 %(number)s を発行しました。") % {"number": guarantee.number}
    move(
        application,
        event=Event.ISSUED,
        to_state=State.ISSUED,
        actor=clerk,
        data={
            "number": guarantee.number,
            "certificate_version": certificate.version,
            "medium": guarantee.medium,
        },
        update_fields=("guarantee", "outcome_note"),
    )
    return application


def _apply_change(application: Application, clerk: User) -> None:
    """Apply a change or 解約 to the target guarantee, inside the caller's transaction."""
    target = target_of(application)
    data: dict[str, Any] = {"number": target.number}
    if application.purpose == Application.Purpose.CANCEL:
        # The 解約 and the application's state commit together, in this transaction.
        guarantee_cancel(guarantee=target, cancelled_by=clerk, reason=application.reason)
        application.outcome_note = _("保証契約 %(number)s を解約しました。") % {"number": target.number}
    else:
        # The same values and rules the submission checked (changes.change_result_problems).
        problems = changes.change_result_problems(application)
        if problems:
            raise problems[0]
        values = changes.change_values(application)
        reason = f"{application.get_change_type_display()}: {application.reason}".strip()
        outcome = guarantee_change(guarantee=target, changes=values, changed_by=clerk, reason=reason[:200])
        if outcome.certificate is not None:
            application.outcome_note = _("第%(version)d版(変更)の証書を発行しました。") % {
                "version": outcome.certificate.version
            }
            data["certificate_version"] = outcome.certificate.version
        else:
            application.outcome_note = str(outcome.reason_no_certificate)[:200]
    application.guarantee = target
    move(
        application,
        event=Event.APPLIED if application.state == State.IN_REVIEW else Event.ISSUED,
        to_state=State.ISSUED,
        actor=clerk,
        data=data,
        update_fields=("guarantee", "outcome_note"),
    )
