"""Business actions on certificates: issue, and changes that may issue a (変更) version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from authkeys.services import authkey_issue
from guarantees import rules
from guarantees.audit_actions import GUARANTEE_CHANGED
from guarantees.errors import GuaranteeError
from guarantees.models import Guarantee, GuarantorCompany
from guarantees.services import audit_record
from portal.after_commit import after_commit, task_send

from . import texts
from .audit_actions import CERTIFICATE_ISSUED, CERTIFICATE_VERSION_ISSUED
from .models import Certificate

#: Renders and stores a new version's signed PDF (certificates.tasks), after the commit.
RENDER_PDF_TASK = "certificates.tasks.certificate_render_pdf_task"


def certificate_snapshot(guarantee: Guarantee) -> dict[str, Any]:
    """Every printed field of the guarantee as it stands now, for a new certificate version."""
    company: GuarantorCompany = guarantee.branch.company
    wording = texts.WORDING[guarantee.kind]
    return {
        "kind": guarantee.kind,
        "medium": guarantee.medium,
        "contract_number": guarantee.number,
        "contractor_name": guarantee.contractor.display_name,
        "orderer_title": guarantee.orderer.title,
        "guarantee_amount": guarantee.guarantee_amount,
        "guarantee_period_end": guarantee.guarantee_period_end,
        "construction_end_date": guarantee.construction_end_date,
        "work_name": guarantee.work_name,
        "contract_amount_total": guarantee.contract_amount_total,
        "contract_amount_target": guarantee.contract_amount_target,
        "bank_name": str(guarantee.bank) if guarantee.bank_id else "",
        "company_name": company.name,
        "company_address": company.address,
        "company_representative": company.representative,
        "branch_name": guarantee.branch.name,
        "branch_address": guarantee.branch.address,
        "branch_tel": guarantee.branch.tel,
        "branch_fax": guarantee.branch.fax,
        "terms_url": company.terms_url,
        "title": wording.title,
        "statement": wording.statement,
        "notes": list(texts.NOTES),
        "terms_line": texts.terms_line(guarantee.kind, company.terms_url),
    }


def _locked(guarantee: Guarantee) -> Guarantee:
    return (
        Guarantee.objects.select_for_update(of=("self",))
        .select_related("branch__company", "contractor", "orderer", "bank")
        .get(pk=guarantee.pk)
    )


def _record_latest(guarantee: Guarantee, certificate: Certificate) -> None:
    """Keep the new version's number, 証書発行日 and (変更) mark on its guarantee, in the transaction
    that issues it: 保証工事一覧 reads them from the guarantee's row."""
    guarantee.latest_certificate_version = certificate.version
    guarantee.latest_certificate_issued_on = certificate.issued_on
    guarantee.latest_certificate_is_change = certificate.is_change
    guarantee.save(
        update_fields=[
            "latest_certificate_version",
            "latest_certificate_issued_on",
            "latest_certificate_is_change",
        ]
    )


@transaction.atomic
def certificate_issue(
    *,
    guarantee: Guarantee,
    issued_by: User | None,
    certified_on: dt.date | None = None,
    issued_on: dt.date | None = None,
    key: str | None = None,
    queue_pdf: bool = True,
) -> Certificate:
    """Issue the first certificate of a guarantee; for an electronic one, its 認証キー too.

    ``key`` is only for taking over a key issued elsewhere (the demo data). ``queue_pdf=False``
    leaves the signed PDF to its first download (``certificates.pdf.certificate_document`` renders
    and stores it then, as for every version whose render never ran): the demo data, whose seed runs
    without a broker in ``make run`` and would otherwise render inside the command.
    """
    guarantee = _locked(guarantee)
    if guarantee.status != Guarantee.Status.ACTIVE:
        raise GuaranteeError("not_active", _("有効でない保証契約には証書を発行できません。"))
    if Certificate.objects.filter(guarantee=guarantee).exists():
        raise GuaranteeError("already_issued", _("この保証契約の証書は発行済みです。"))
    today = timezone.localdate()
    certificate = Certificate.objects.create(
        guarantee=guarantee,
        version=1,
        is_change=False,
        certified_on=certified_on or guarantee.concluded_on,
        issued_on=issued_on or today,
        issued_by=issued_by if issued_by is not None and issued_by.pk else None,
        **certificate_snapshot(guarantee),
    )
    _record_latest(guarantee, certificate)
    if guarantee.is_electronic:
        authkey_issue(guarantee=guarantee, issued_by=issued_by, key=key)
    audit_record(
        action=CERTIFICATE_ISSUED,
        actor=issued_by,
        guarantee=guarantee,
        data={"version": 1, "medium": guarantee.medium},
    )
    if queue_pdf:
        after_commit(partial(task_send, RENDER_PDF_TASK, certificate.pk), what="queueing the certificate PDF")
    return certificate


@dataclass(frozen=True)
class GuaranteeChanges:
    """What a change (変更) sets; ``None`` leaves a value as it is."""

    guarantee_amount: int | None = None
    contract_amount_total: int | None = None
    contract_amount_target: int | None = None
    guarantee_period_end: dt.date | None = None
    construction_end_date: dt.date | None = None


@dataclass(frozen=True)
class ChangeOutcome:
    guarantee: Guarantee
    changed_fields: tuple[str, ...]
    certificate: Certificate | None  # the new (変更) version, or None when the notes say none is issued
    reason_no_certificate: str = ""


def change_needs_new_version(*, before: Guarantee, after: dict[str, Any]) -> tuple[bool, str]:
    """The certificate's notes (注)1–3 as a rule. Returns (issue a (変更) version?, why not).

    1. A change of the guarantee amount (or its composition) issues a (変更) version.
    2. A guarantee period that follows an extension of the construction period changes by itself:
       no version. A period that moves otherwise (shortened, or apart from the construction period)
       changes what is guaranteed, so it does issue one.
    3. A change of the contract amount alone issues none.
    """
    if after["guarantee_amount"] != before.guarantee_amount:
        return True, ""
    period_changed = after["guarantee_period_end"] != before.guarantee_period_end
    if period_changed:
        follows_construction = (
            after["guarantee_period_end"] == after["construction_end_date"]
            and after["guarantee_period_end"] > before.guarantee_period_end
        )
        if not follows_construction:
            return True, ""
        return False, _("保証期間は工期の延長に伴い自動的に変更されるため、変更の保証証書は発行しません。")
    if (
        after["contract_amount_total"] != before.contract_amount_total
        or after["contract_amount_target"] != before.contract_amount_target
    ):
        return False, _("請負金額のみの変更のため、変更の保証証書は発行しません。")
    return False, _("証書の記載事項に変更はありません。")


@dataclass(frozen=True)
class ChangePreview:
    """The guarantee a change would leave: every value after it, and which of them move."""

    after: dict[str, Any]
    changed: tuple[str, ...]


def guarantee_values_after(*, guarantee: Guarantee, changes: GuaranteeChanges) -> dict[str, Any]:
    """The changeable values of ``guarantee`` once ``changes`` apply, unchecked (for display).

    When the construction period is extended and the guarantee period ended with it, the guarantee
    period follows by itself (注2).
    """
    after: dict[str, Any] = {
        "guarantee_amount": guarantee.guarantee_amount,
        "contract_amount_total": guarantee.contract_amount_total,
        "contract_amount_target": guarantee.contract_amount_target,
        "guarantee_period_end": guarantee.guarantee_period_end,
        "construction_end_date": guarantee.construction_end_date,
    }
    for field, value in vars(changes).items():
        if value is not None:
            after[field] = value
    if (
        changes.construction_end_date is not None
        and changes.guarantee_period_end is None
        and guarantee.guarantee_period_end == guarantee.construction_end_date
        and changes.construction_end_date > guarantee.construction_end_date
    ):
        after["guarantee_period_end"] = changes.construction_end_date
    return after


def guarantee_change_preview(*, guarantee: Guarantee, changes: GuaranteeChanges) -> ChangePreview:
    """The whole guarantee after ``changes``, checked with the rules the change itself applies.

    ``guarantee_change`` applies exactly this, so whoever checks a change beforehand (the
    contractor's change application on submission, the clerk's approval page) uses this one
    function and cannot disagree with the change. Raises ``GuaranteeError`` for the first broken rule.
    """
    after = guarantee_values_after(guarantee=guarantee, changes=changes)
    changed = tuple(field for field, value in after.items() if getattr(guarantee, field) != value)
    if not changed:
        raise GuaranteeError("nothing_changed", _("変更する項目がありません。"))
    rules.validate_amounts(
        orderer=guarantee.orderer,
        kind=guarantee.kind,
        contract_amount_total=after["contract_amount_total"],
        contract_amount_target=after["contract_amount_target"],
        guarantee_amount=after["guarantee_amount"],
    )
    rules.validate_dates(
        concluded_on=guarantee.concluded_on,
        guarantee_period_end=after["guarantee_period_end"],
        construction_end_date=after["construction_end_date"],
    )
    return ChangePreview(after=after, changed=changed)


@transaction.atomic
def guarantee_change(
    *, guarantee: Guarantee, changes: GuaranteeChanges, changed_by: User | None, reason: str = ""
) -> ChangeOutcome:
    """Apply a change (増額, 減額, 保証期限変更, 工期延長, 請負金額変更) to a guarantee: the values
    ``guarantee_change_preview`` gives, checked by it. Whether a (変更) version is issued is decided by
    ``change_needs_new_version``. A paper guarantee stays paper: its new version is a paper one.
    """
    guarantee = _locked(guarantee)
    if guarantee.status != Guarantee.Status.ACTIVE:
        raise GuaranteeError("not_active", _("有効でない保証契約は変更できません。"))
    latest = Certificate.objects.filter(guarantee=guarantee).order_by("-version").first()
    if latest is None:
        raise GuaranteeError("not_issued", _("証書を発行する前の保証契約は変更ではなく訂正してください。"))
    preview = guarantee_change_preview(guarantee=guarantee, changes=changes)
    after, changed = preview.after, preview.changed
    issue_version, why_not = change_needs_new_version(before=guarantee, after=after)
    before = {field: _jsonable(getattr(guarantee, field)) for field in changed}
    for field in changed:
        setattr(guarantee, field, after[field])
    guarantee.save(update_fields=[*changed, "updated_at"])
    audit_record(
        action=GUARANTEE_CHANGED,
        actor=changed_by,
        guarantee=guarantee,
        data={
            "before": before,
            "after": {field: _jsonable(after[field]) for field in changed},
            "reason": reason.strip(),
            "new_version": issue_version,
        },
    )
    certificate = None
    if issue_version:
        version = latest.version + 1
        certificate = Certificate.objects.create(
            guarantee=guarantee,
            version=version,
            is_change=True,
            certified_on=timezone.localdate(),
            issued_on=timezone.localdate(),
            issued_by=changed_by if changed_by is not None and changed_by.pk else None,
            change_reason=reason.strip(),
            **certificate_snapshot(guarantee),
        )
        _record_latest(guarantee, certificate)
        audit_record(
            action=CERTIFICATE_VERSION_ISSUED,
            actor=changed_by,
            guarantee=guarantee,
            data={"version": version},
        )
        after_commit(partial(task_send, RENDER_PDF_TASK, certificate.pk), what="queueing the certificate PDF")
    return ChangeOutcome(
        guarantee=guarantee, changed_fields=changed, certificate=certificate, reason_no_certificate=why_not
    )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
