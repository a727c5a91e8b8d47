"""Business actions of the application flow. Each is one durable transaction with its transition row.

下書き → 申込済 → 審査中 → 差戻し (editable, resubmitted to 申込済) / 謝絶
                         → 保証料入金待ち → (入金記録) → 発行済
A change or 解約 without a fee is applied on approval (審査中 → 発行済, shown as 変更済/解約済).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from certificates.services import certificate_issue, guarantee_change
from guarantees.after_commit import after_commit
from guarantees.models import Guarantee, GuaranteeKind
from guarantees.services import audit_record, guarantee_cancel, guarantee_register
from notifications.errors import NotificationError
from notifications.models import OutboxMessage
from notifications.services import notification_enqueue

from . import documents, rules, selectors
from .audit_actions import USE_PLAN_AMENDED, USE_PLAN_SAVED, WITHDRAWAL_REQUESTED
from .errors import ApplicationError
from .models import (
    UNDECIDED,
    AdvanceUsePlan,
    AdvanceUsePlanRevision,
    AdvanceUseRow,
    Application,
    ApplicationDocument,
    ApplicationTransition,
    PayoutMethod,
    UseCategory,
    WithdrawalLine,
    WithdrawalRequest,
)

logger = logging.getLogger(__name__)

State = Application.State
Event = ApplicationTransition.Event

#: The fields a contractor's step forms may write while the application is editable.
DRAFT_FIELDS: frozenset[str] = frozenset(
    {
        "branch",
        "orderer",
        "parent_guarantee",
        "parent_application",
        "advance_planned",
        "work_name",
        "work_place",
        "contract_date",
        "construction_start",
        "construction_end",
        "guarantee_period_end",
        "multi_year",
        "contract_amount_total",
        "contract_amount_target",
        "guarantee_amount",
        "progress_amount",
        "bank",
        "account_type",
        "account_number",
        "account_holder",
        "change_type",
        "reason",
    }
)
MAX_DOCUMENTS = 10
OPEN_STATES = (State.SUBMITTED, State.IN_REVIEW, State.RETURNED, State.AWAITING_FEE)


# --- Helpers ------------------------------------------------------------------------------------


#: The mail of each step the contractor hears about (docs/applications.md). 保証料の入金記録 and the
#: approval of a fee-free change (applied at once, so its 変更済/解約済 mail follows) send none.
_MAIL_KINDS: dict[str, str] = {
    Event.SUBMITTED: OutboxMessage.Kind.APPLICATION_RECEIVED,
    Event.RESUBMITTED: OutboxMessage.Kind.APPLICATION_RECEIVED,
    Event.REVIEW_STARTED: OutboxMessage.Kind.APPLICATION_IN_REVIEW,
    Event.RETURNED: OutboxMessage.Kind.APPLICATION_RETURNED,
    Event.REFUSED: OutboxMessage.Kind.APPLICATION_REFUSED,
    Event.ISSUED: OutboxMessage.Kind.APPLICATION_ISSUED,
    Event.APPLIED: OutboxMessage.Kind.APPLICATION_ISSUED,
}


def _mail_kind(transition: ApplicationTransition) -> str | None:
    if transition.event == Event.APPROVED:
        return OutboxMessage.Kind.APPLICATION_FEE_DUE if transition.to_state == State.AWAITING_FEE else None
    return _MAIL_KINDS.get(transition.event)


def _mail_context(application: Application, transition: ApplicationTransition) -> dict[str, Any]:
    """Everything the mail prints, as JSON: the mail is rendered later by the notifications app,
    which cannot read this app's rows (dependencies point one way)."""
    base_url = settings.PORTAL_BASE_URL.rstrip("/")
    guarantee = application.guarantee or application.target_guarantee
    branch = application.branch
    discount = (
        selectors.fee_discount_on(kind=application.kind, on=application.fee_quoted_on)
        if application.fee_discount and application.fee_quoted_on
        else None
    )
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "application_id": application.pk,
            "contractor_name": application.contractor.display_name,
            "purpose": application.purpose,
            "purpose_label": str(application.get_purpose_display()),
            "kind_label": str(application.get_kind_display()),
            "work_name": application.work_name,
            "orderer": application.orderer.title if application.orderer is not None else "",
            "state_label": application.state_label,
            "resubmitted": transition.event == Event.RESUBMITTED,
            "comment": transition.comment,
            "fee_base": application.fee_base,
            "fee_discount": application.fee_discount,
            "fee_discount_label": discount.label if discount is not None else str(_("割引")),
            "fee_amount": application.fee_amount,
            "number": guarantee.number if guarantee is not None else "",
            "is_electronic": guarantee is not None and guarantee.medium == Guarantee.Medium.ELECTRONIC,
            "outcome_note": application.outcome_note,
            "branch_name": branch.name if branch is not None else "",
            "branch_tel": branch.tel if branch is not None else "",
            "detail_url": base_url + reverse("applications:detail", args=[application.pk]),
            "portal_url": base_url + "/",
        }


def _notify(*, application: Application, transition: ApplicationTransition) -> None:
    """Queue the contractor's mail about ``transition``, one outbox row per notice address, in the
    transition's transaction (a rolled-back step mails nothing). The idempotency key names the
    application, the transition and the address, so each step is mailed once per address."""
    kind = _mail_kind(transition)
    if kind is None:
        return
    context = _mail_context(application, transition)
    seen: set[str] = set()
    for address in application.contractor.notice_email_list:
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        try:
            notification_enqueue(
                kind=kind,
                idempotency_key=f"application:{application.pk}:{transition.pk}:{address.lower()}",
                to=address,
                context=context,
            )
        except NotificationError as exc:
            if exc.code != "invalid_address":
                raise
            # A malformed address on the contractor's record must not block the branch's review;
            # the others still get the mail, and the log says which one was skipped.
            logger.warning("Skipped the malformed notice address of contractor %s", application.contractor_id)


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("contractor", "orderer", "branch", "bank", "parent_guarantee", "target_guarantee")
        .get(pk=application.pk)
    )


def _refuse_state(application: Application, event: Event) -> ApplicationError:
    # The step is named by the label its transition row shows (ApplicationTransition.Event).
    return ApplicationError(
        "invalid_state",
        _("この申込は「%(state)s」のため、%(action)sできません。")
        % {"state": application.state_label, "action": event.label},
    )


def _require_state(application: Application, event: Event, *allowed: str) -> None:
    if application.state not in allowed:
        raise _refuse_state(application, event)


def _require_owner(application: Application, user: User) -> None:
    if user.contractor_id is None or user.contractor_id != application.contractor_id:
        raise ApplicationError("not_owner", _("この申込を操作する権限がありません。"))


def _require_clerk(application: Application, clerk: User) -> None:
    allowed = (
        clerk.is_active
        and clerk.is_staff
        and clerk.has_perm("applications.review_application")
        and (clerk.is_superuser or clerk.branch_id is None or clerk.branch_id == application.branch_id)
    )
    if not allowed:
        raise ApplicationError("not_clerk", _("この申込を審査する権限がありません（取扱支店の職員のみ）。"))


def _move(
    application: Application,
    *,
    event: str,
    to_state: str,
    actor: User,
    comment: str = "",
    data: dict[str, Any] | None = None,
    update_fields: tuple[str, ...] = (),
) -> ApplicationTransition:
    from_state = application.state
    application.state = to_state
    application.save(update_fields=["state", "updated_at", *update_fields])
    transition = ApplicationTransition.objects.create(
        application=application,
        event=event,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        comment=comment,
        data=data or {},
    )
    _notify(application=application, transition=transition)
    return transition


def _incomplete() -> ApplicationError:
    return ApplicationError(
        "incomplete", _("申込の内容が不足しています。差し戻して再申込を依頼してください。")
    )


def _target(application: Application) -> Guarantee:
    if application.target_guarantee is None:
        raise _incomplete()
    return application.target_guarantee


# --- Contractor: drafts -----------------------------------------------------------------------


def _delete_files(names: list[str]) -> None:
    storage = ApplicationDocument.file.field.storage
    for name in names:
        storage.delete(name)


def _default_branch_id(contractor_id: int) -> int | None:
    last = Guarantee.objects.filter(contractor_id=contractor_id).order_by("-concluded_on", "-id").first()
    return last.branch_id if last is not None else None


@transaction.atomic(durable=True)
def application_create(*, user: User, kind: str, created_by: User | None = None) -> Application:
    """Start a new application (下書き) of ``kind`` for the user's contractor."""
    if user.contractor_id is None:
        raise ApplicationError("not_contractor", _("保証契約者のアカウントでログインしてください。"))
    if kind not in GuaranteeKind.values:
        raise ApplicationError("unknown_kind", _("保証の区分が正しくありません。"), field="kind")
    application = Application.objects.create(
        purpose=Application.Purpose.NEW,
        kind=kind,
        contractor_id=user.contractor_id,
        branch_id=_default_branch_id(user.contractor_id),
        created_by=user,
    )
    ApplicationTransition.objects.create(
        application=application, event=Event.CREATED, to_state=State.DRAFT, actor=user
    )
    return application


@transaction.atomic(durable=True)
def application_create_change(*, user: User, guarantee: Guarantee, purpose: str) -> Application:
    """Start an application for a change (変更) or a 解約 of one of the contractor's guarantees."""
    if user.contractor_id is None or guarantee.contractor_id != user.contractor_id:
        raise ApplicationError("not_owner", _("この保証契約を変更・解約する権限がありません。"))
    if purpose not in (Application.Purpose.CHANGE, Application.Purpose.CANCEL):
        raise ApplicationError("unknown_purpose", _("申込の種類が正しくありません。"), field="purpose")
    if not guarantee.is_in_force(today=timezone.localdate()):
        raise ApplicationError("target_not_in_force", _("有効な保証契約だけが変更・解約できます。"))
    application = Application.objects.create(
        purpose=purpose,
        kind=guarantee.kind,
        contractor_id=guarantee.contractor_id,
        branch_id=guarantee.branch_id,
        orderer_id=guarantee.orderer_id,
        target_guarantee=guarantee,
        work_name=guarantee.work_name,
        created_by=user,
    )
    ApplicationTransition.objects.create(
        application=application, event=Event.CREATED, to_state=State.DRAFT, actor=user
    )
    return application


@transaction.atomic(durable=True)
def application_save_draft(*, application: Application, user: User, values: Mapping[str, Any]) -> Application:
    """Save what a step form holds. Only a draft or a returned application can be edited."""
    application = _locked(application)
    _require_owner(application, user)
    if not application.is_editable:
        raise ApplicationError(
            "not_editable",
            _("この申込は「%(state)s」のため編集できません。") % {"state": application.state_label},
        )
    unknown = set(values) - DRAFT_FIELDS
    if unknown:
        raise ApplicationError("unknown_field", _("編集できない項目が含まれています。"))
    for field, value in values.items():
        setattr(application, field, value)
    start, end = application.construction_start, application.construction_end
    if start is not None and end is not None and end < start:
        raise ApplicationError(
            "end_before_start",
            _("工期末日は工期開始日以後の日付にしてください。"),
            field="construction_end",
            step=rules.STEP_WORK,
        )
    if "multi_year" in values and not values["multi_year"]:
        application.contract_amount_target = None
    application.save(update_fields=[*values, "contract_amount_target", "updated_at"])
    return application


@transaction.atomic(durable=True)
def application_discard(*, application: Application, user: User) -> None:
    """Delete a draft that was never submitted, with its uploads."""
    application = _locked(application)
    _require_owner(application, user)
    if application.state != State.DRAFT or application.submitted_at is not None:
        raise ApplicationError("not_a_draft", _("申込済みの申込は削除できません。"))
    files = [document.file.name for document in application.documents.all() if document.file.name]
    application.delete()
    after_commit(lambda: _delete_files(files), what="deleting replaced uploads")


@transaction.atomic(durable=True)
def application_document_add(
    *, application: Application, user: User, doc_type: str, upload: UploadedFile
) -> ApplicationDocument:
    """Attach an upload after checking its size and its type by content (PDF, JPEG or PNG)."""
    application = _locked(application)
    _require_owner(application, user)
    if not application.is_editable:
        raise ApplicationError("not_editable", _("この申込の書類は変更できません。"))
    if doc_type not in ApplicationDocument.DocType.values:
        raise ApplicationError("unknown_doc_type", _("書類の種類を選んでください。"), field="doc_type")
    if application.documents.count() >= MAX_DOCUMENTS:
        raise ApplicationError(
            "too_many_documents",
            _("書類は1件の申込につき%(n)d件までです。") % {"n": MAX_DOCUMENTS},
            field="file",
        )
    size = upload.size or 0
    if size == 0:
        raise ApplicationError("empty_file", _("空のファイルはアップロードできません。"), field="file")
    if size > documents.MAX_UPLOAD_BYTES:
        raise ApplicationError(
            "file_too_large",
            _("ファイルは%(mb)dMBまでです。") % {"mb": documents.MAX_UPLOAD_BYTES // (1024 * 1024)},
            field="file",
        )
    content_type = documents.sniff_content_type(documents.read_head(upload))
    if content_type is None:
        raise ApplicationError(
            "unsupported_type", _("PDF・JPEG・PNGのファイルだけをアップロードできます。"), field="file"
        )
    name = (upload.name or "").strip()
    if not documents.name_matches(name, content_type):
        raise ApplicationError(
            "name_type_mismatch",
            _("ファイル名の拡張子と内容が一致しません（内容は%(type)sです）。")
            % {"type": ApplicationDocument.ContentType(content_type).label},
            field="file",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    document = ApplicationDocument(
        application=application,
        doc_type=doc_type,
        original_name=name[-200:],
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    upload.seek(0)
    document.file.save(document.extension, upload, save=False)
    document.save()
    # Nothing can fail after the file is written but the commit itself; such an orphan is harmless
    # (named by its hash, never served without a row) and docs/applications.md says so.
    return document


@transaction.atomic(durable=True)
def application_document_remove(*, document: ApplicationDocument, user: User) -> None:
    application = _locked(document.application)
    _require_owner(application, user)
    if not application.is_editable:
        raise ApplicationError("not_editable", _("この申込の書類は変更できません。"))
    files = [document.file.name] if document.file.name else []
    ApplicationDocument.objects.filter(pk=document.pk, application=application).delete()
    after_commit(lambda: _delete_files(files), what="deleting replaced uploads")


# --- Contractor: submission -------------------------------------------------------------------


def _quote(application: Application, today: dt.date) -> tuple[int, int, int]:
    """(base, discount, total) of the fee of this application, refusing when no rate is in force."""
    if application.purpose == Application.Purpose.CANCEL:
        return 0, 0, 0
    if application.purpose == Application.Purpose.CHANGE:
        target = _target(application)
        if application.change_type != Application.ChangeType.INCREASE or application.guarantee_amount is None:
            return 0, 0, 0
        extra = selectors.fee_quote_for_increase(
            kind=target.kind,
            orderer_kind=target.orderer.kind,
            old_amount=target.guarantee_amount,
            new_amount=application.guarantee_amount,
            on=today,
        )
        if extra is None:
            raise ApplicationError(
                "no_rate", _("保証料率が登録されていません。取扱支店にお問い合わせください。")
            )
        return extra, 0, extra
    if application.orderer is None or application.guarantee_amount is None:
        raise _incomplete()
    quote = selectors.fee_quote(
        kind=application.kind,
        orderer_kind=application.orderer.kind,
        amount=application.guarantee_amount,
        on=today,
    )
    if quote is None:
        raise ApplicationError("no_rate", _("保証料率が登録されていません。取扱支店にお問い合わせください。"))
    return quote.base, quote.discount, quote.total


@transaction.atomic(durable=True)
def application_submit(
    *, application: Application, submitted_by: User, today: dt.date | None = None
) -> Application:
    """申込 (or 再申込 after 差戻し): check everything, quote the fee as of today, and submit."""
    application = _locked(application)
    _require_owner(application, submitted_by)
    _require_state(application, Event.SUBMITTED, State.DRAFT, State.RETURNED)
    today = today or timezone.localdate()
    problems = rules.submission_problems(application, today=today)
    if problems:
        raise problems[0]
    if application.target_guarantee_id is not None:
        Guarantee.objects.select_for_update().filter(pk=application.target_guarantee_id).exists()
        other_open = (
            Application.objects.filter(
                target_guarantee_id=application.target_guarantee_id, state__in=OPEN_STATES
            )
            .exclude(pk=application.pk)
            .exists()
        )
        if other_open:
            raise ApplicationError(
                "change_pending",
                _("この保証契約には審査中の変更・解約の申込があります。結果をお待ちください。"),
            )
    if application.purpose == Application.Purpose.NEW and not application.multi_year:
        application.contract_amount_target = application.contract_amount_total
    base, discount, total = _quote(application, today)
    application.fee_base, application.fee_discount, application.fee_amount = base, discount, total
    application.fee_quoted_on = today
    event = Event.RESUBMITTED if application.state == State.RETURNED else Event.SUBMITTED
    application.submitted_at = timezone.now()
    _move(
        application,
        event=event,
        to_state=State.SUBMITTED,
        actor=submitted_by,
        data={"fee_amount": total, "fee_quoted_on": today.isoformat()},
        update_fields=(
            "contract_amount_target",
            "fee_base",
            "fee_discount",
            "fee_amount",
            "fee_quoted_on",
            "submitted_at",
        ),
    )
    return application


# --- Staff: review ----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def application_review_start(*, application: Application, clerk: User) -> Application:
    application = _locked(application)
    _require_clerk(application, clerk)
    _require_state(application, Event.REVIEW_STARTED, State.SUBMITTED)
    _move(application, event=Event.REVIEW_STARTED, to_state=State.IN_REVIEW, actor=clerk)
    return application


@transaction.atomic(durable=True)
def application_return(*, application: Application, clerk: User, comment: str) -> Application:
    """差戻し: back to the contractor, editable, with the clerk's comment saying what to correct."""
    application = _locked(application)
    _require_clerk(application, clerk)
    _require_state(application, Event.RETURNED, State.IN_REVIEW)
    comment = comment.strip()
    if not comment:
        raise ApplicationError(
            "comment_required", _("差戻しの理由（修正してほしい点）を入力してください。"), field="comment"
        )
    _move(application, event=Event.RETURNED, to_state=State.RETURNED, actor=clerk, comment=comment)
    return application


@transaction.atomic(durable=True)
def application_refuse(*, application: Application, clerk: User, reason: str) -> Application:
    """謝絶: the guarantee is declined; the application is closed."""
    application = _locked(application)
    _require_clerk(application, clerk)
    _require_state(application, Event.REFUSED, State.IN_REVIEW)
    reason = reason.strip()
    if not reason:
        raise ApplicationError("reason_required", _("謝絶の理由を入力してください。"), field="comment")
    _move(application, event=Event.REFUSED, to_state=State.REFUSED, actor=clerk, comment=reason)
    return application


@transaction.atomic(durable=True)
def application_approve(*, application: Application, clerk: User) -> Application:
    """承認: the guarantee is accepted. With a fee it waits for the payment; a change or 解約
    without a fee is applied at once."""
    application = _locked(application)
    _require_clerk(application, clerk)
    _require_state(application, Event.APPROVED, State.IN_REVIEW)
    if application.fee_amount:
        _move(application, event=Event.APPROVED, to_state=State.AWAITING_FEE, actor=clerk)
        return application
    if application.purpose == Application.Purpose.NEW:
        raise ApplicationError(
            "no_fee", _("保証料が計算されていません。差し戻して再申込を依頼してください。")
        )
    _move(application, event=Event.APPROVED, to_state=State.IN_REVIEW, actor=clerk)
    _apply_change(application, clerk)
    return application


@transaction.atomic(durable=True)
def application_fee_record(
    *, application: Application, clerk: User, amount: int, paid_on: dt.date, today: dt.date | None = None
) -> Application:
    """Record the fee payment: the amount must be the quoted fee; the date not in the future."""
    application = _locked(application)
    _require_clerk(application, clerk)
    _require_state(application, Event.FEE_RECORDED, State.AWAITING_FEE)
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
    _move(
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
    application = _locked(application)
    _require_clerk(application, clerk)
    _require_state(application, Event.ISSUED, State.AWAITING_FEE)
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
        raise _incomplete()
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
    _move(
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
    target = _target(application)
    data: dict[str, Any] = {"number": target.number}
    if application.purpose == Application.Purpose.CANCEL:
        # The 解約 and the application's state commit together, in this transaction.
        guarantee_cancel(guarantee=target, cancelled_by=clerk, reason=application.reason)
        application.outcome_note = _("保証契約 %(number)s を解約しました。") % {"number": target.number}
    else:
        # The same values and rules the submission checked (rules.change_result_problems).
        problems = rules.change_result_problems(application)
        if problems:
            raise problems[0]
        changes = rules.change_values(application)
        reason = f"{application.get_change_type_display()}: {application.reason}".strip()
        outcome = guarantee_change(guarantee=target, changes=changes, changed_by=clerk, reason=reason[:200])
        if outcome.certificate is not None:
            application.outcome_note = _("第%(version)d版(変更)の証書を発行しました。") % {
                "version": outcome.certificate.version
            }
            data["certificate_version"] = outcome.certificate.version
        else:
            application.outcome_note = str(outcome.reason_no_certificate)[:200]
    application.guarantee = target
    _move(
        application,
        event=Event.APPLIED if application.state == State.IN_REVIEW else Event.ISSUED,
        to_state=State.ISSUED,
        actor=clerk,
        data=data,
        update_fields=("guarantee", "outcome_note"),
    )


# --- The advance's paperwork: 前払金使途内訳明細書 and 前払金払出依頼書 ----------------------------


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
        raise ApplicationError("not_owner", _("この保証契約の書類を作成する権限がありません。"))
    if locked.kind not in (GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE):
        raise ApplicationError(
            "not_an_advance", _("使途内訳・払出依頼は前払金保証・中間前払金保証に限ります。")
        )
    if locked.status != Guarantee.Status.ACTIVE:
        raise ApplicationError("not_active", _("有効でない保証契約の書類は作成できません。"))
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
        raise ApplicationError("rows_required", _("使途を1行以上入力してください。"))
    for index, row in enumerate(rows, start=1):
        where = _("%(n)d行目: ") % {"n": index}
        if row.category not in UseCategory.values:
            raise ApplicationError(
                "unknown_category", where + _("前払金を使用できない項目です。"), field="category"
            )
        if row.payout_method not in PayoutMethod.values:
            raise ApplicationError(
                "unknown_method", where + _("払出方法を選んでください。"), field="payout_method"
            )
        if row.advance_use <= 0:
            raise ApplicationError("use_not_positive", where + _("前払金使用金額は1円以上にしてください。"))
        if row.total_required is not None and row.total_required < row.advance_use:
            raise ApplicationError(
                "use_above_required",
                where + _("前払金使用金額は全所要金額以下にしてください。"),
                field="advance_use",
            )
    total = sum(row.advance_use for row in rows)
    if total != guarantee.guarantee_amount:
        raise ApplicationError(
            "total_mismatch",
            _("前払金使用金額の合計（%(total)s円）が前払金額（%(advance)s円）と一致しません。")
            % {"total": f"{total:,}", "advance": f"{guarantee.guarantee_amount:,}"},
        )
    planned: dict[str, int] = {}
    for row in rows:
        planned[row.category] = planned.get(row.category, 0) + row.advance_use
    for category, withdrawn in _withdrawn_by_category(guarantee).items():
        if planned.get(category, 0) < withdrawn:
            raise ApplicationError(
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
        raise ApplicationError("no_plan", _("先に前払金使途内訳明細書を作成してください。"))
    if not lines:
        raise ApplicationError("lines_required", _("払出の内訳を1行以上入力してください。"))
    plan_rows = list(plan.rows.all())
    withdrawn = _withdrawn_by_category(guarantee)
    asked: dict[str, int] = {}
    for index, line in enumerate(lines, start=1):
        where = _("%(n)d行目: ") % {"n": index}
        rows = [row for row in plan_rows if row.category == line.category]
        if not rows:
            raise ApplicationError(
                "category_not_planned", where + _("この項目は使途内訳明細書にありません。"), field="category"
            )
        if line.amount <= 0:
            raise ApplicationError(
                "amount_not_positive", where + _("金額は1円以上にしてください。"), field="amount"
            )
        payee = line.payee.strip()
        if not payee or payee == UNDECIDED:
            raise ApplicationError("payee_required", where + _("支払先を入力してください。"), field="payee")
        payees = {row.payee for row in rows}
        if UNDECIDED not in payees and payee not in payees:
            raise ApplicationError(
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
        raise ApplicationError("balance_exceeded", message, field="amount")
    for category, amount in asked.items():
        room = sum(row.advance_use for row in plan_rows if row.category == category) - withdrawn.get(
            category, 0
        )
        if amount > room:
            raise ApplicationError(
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
