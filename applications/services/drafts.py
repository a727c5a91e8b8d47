"""The contractor's side of an application: drafts, uploads, discarding a draft, submission."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from guarantees.after_commit import after_commit
from guarantees.models import Guarantee, GuaranteeKind

from .. import documents, rules, selectors, steps
from ..errors import ApplicationError
from ..models import Application, ApplicationDocument, ApplicationTransition
from .transitions import incomplete, locked, move, require_owner, require_state, target_of

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
    application = locked(application)
    require_owner(application, user)
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
            step=steps.STEP_WORK,
        )
    if "multi_year" in values and not values["multi_year"]:
        application.contract_amount_target = None
    application.save(update_fields=[*values, "contract_amount_target", "updated_at"])
    return application


@transaction.atomic(durable=True)
def application_discard(*, application: Application, user: User) -> None:
    """Delete a draft that was never submitted, with its uploads."""
    application = locked(application)
    require_owner(application, user)
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
    application = locked(application)
    require_owner(application, user)
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
    application = locked(document.application)
    require_owner(application, user)
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
        target = target_of(application)
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
        raise incomplete()
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
    application = locked(application)
    require_owner(application, submitted_by)
    require_state(application, Event.SUBMITTED, State.DRAFT, State.RETURNED)
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
    move(
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
