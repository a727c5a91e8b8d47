"""What an application must satisfy before it can be submitted, as a list of problems.

The confirm page shows every problem at once, with a link to the step that holds it; the submit
service refuses with the first one. Amount fractions come from ``guarantees.rules.validate_amounts``;
a change or 解約 is checked by ``applications.changes``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from guarantees import rules as guarantee_rules
from guarantees.errors import GuaranteeError
from guarantees.models import Guarantee, GuaranteeKind

from . import changes
from .errors import ApplicationError
from .models import Application, ApplicationDocument
from .steps import STEP_ACCOUNT, STEP_AMOUNTS, STEP_DOCUMENTS, STEP_KIND, STEP_WORK, problem

ACCOUNT_NUMBER = re.compile(r"^\d{7}$")


def interim_midpoint(start: dt.date, end: dt.date) -> dt.date:
    """The day half the construction period has passed (rounded up to a whole day)."""
    days = (end - start).days
    return start + dt.timedelta(days=-(-days // 2))


def _check_parent_advance(application: Application, parent: Guarantee) -> list[ApplicationError]:
    problems = []
    if parent.kind != GuaranteeKind.ADVANCE or parent.status != Guarantee.Status.ACTIVE:
        problems.append(
            problem(
                "parent_not_advance",
                _("元の保証には有効な前払金保証を選んでください。"),
                "parent_guarantee",
                STEP_KIND,
            )
        )
    elif parent.contractor_id != application.contractor_id or (
        application.orderer_id is not None and parent.orderer_id != application.orderer_id
    ):
        problems.append(
            problem(
                "parent_mismatch",
                _("元の前払金保証と発注者・保証契約者が一致しません。"),
                "parent_guarantee",
                STEP_KIND,
            )
        )
    return problems


def _kind_problems(application: Application) -> list[ApplicationError]:
    problems: list[ApplicationError] = []
    if application.branch_id is None:
        problems.append(problem("branch_required", _("取扱支店を選んでください。"), "branch", STEP_KIND))
    if application.orderer_id is None:
        problems.append(problem("orderer_required", _("発注者を選んでください。"), "orderer", STEP_KIND))
    kind = application.kind
    if kind == GuaranteeKind.ADVANCE and (
        application.parent_guarantee_id or application.parent_application_id
    ):
        problems.append(
            problem(
                "advance_has_no_parent",
                _("前払金保証に元の保証は指定できません。"),
                "parent_guarantee",
                STEP_KIND,
            )
        )
    if kind == GuaranteeKind.INTERIM_ADVANCE:
        if application.parent_guarantee is None:
            problems.append(
                problem(
                    "interim_needs_advance",
                    _("中間前払金保証には元の前払金保証を選んでください。"),
                    "parent_guarantee",
                    STEP_KIND,
                )
            )
        else:
            problems += _check_parent_advance(application, application.parent_guarantee)
    if kind == GuaranteeKind.CONTRACT:
        if application.parent_guarantee is not None:
            problems += _check_parent_advance(application, application.parent_guarantee)
        elif application.parent_application is not None:
            parent = application.parent_application
            if (
                parent.purpose != Application.Purpose.NEW
                or parent.kind != GuaranteeKind.ADVANCE
                or parent.contractor_id != application.contractor_id
                or parent.orderer_id != application.orderer_id
                or parent.state == Application.State.REFUSED
            ):
                problems.append(
                    problem(
                        "parent_application_mismatch",
                        _(
                            "同時に申し込む前払金保証は、同じ発注者への謝絶されていない前払金保証の申込を選んでください。"
                        ),
                        "parent_application",
                        STEP_KIND,
                    )
                )
        elif not application.advance_planned:
            problems.append(
                problem(
                    "contract_needs_advance",
                    _(
                        "契約保証特約は前払金を予定する工事に限ります。元の前払金保証を選ぶか、前払金の請求予定を確認してください。"
                    ),
                    "advance_planned",
                    STEP_KIND,
                )
            )
    return problems


def _work_problems(application: Application, today: dt.date) -> list[ApplicationError]:
    problems: list[ApplicationError] = []
    if not application.work_name.strip():
        problems.append(
            problem("work_name_required", _("工事名を入力してください。"), "work_name", STEP_WORK)
        )
    if not application.work_place.strip():
        problems.append(
            problem("work_place_required", _("工事場所を入力してください。"), "work_place", STEP_WORK)
        )
    for field, label in (
        ("contract_date", _("契約締結日")),
        ("construction_start", _("工期開始日")),
        ("construction_end", _("工期末日")),
    ):
        if getattr(application, field) is None:
            problems.append(
                problem(
                    f"{field}_required",
                    _("%(label)sを入力してください。") % {"label": label},
                    field,
                    STEP_WORK,
                )
            )
    contract_date, start, end = (
        application.contract_date,
        application.construction_start,
        application.construction_end,
    )
    if contract_date is not None and contract_date > today:
        problems.append(
            problem(
                "contract_date_in_future",
                _("契約締結日は今日以前の日付にしてください（契約の締結後にお申し込みください）。"),
                "contract_date",
                STEP_WORK,
            )
        )
    if contract_date is not None and start is not None and start < contract_date:
        problems.append(
            problem(
                "start_before_contract",
                _("工期開始日は契約締結日以後の日付にしてください。"),
                "construction_start",
                STEP_WORK,
            )
        )
    if start is not None and end is not None and end < start:
        problems.append(
            problem(
                "end_before_start",
                _("工期末日は工期開始日以後の日付にしてください。"),
                "construction_end",
                STEP_WORK,
            )
        )
    period_end = application.guarantee_period_end
    if period_end is not None and end is not None and period_end > end:
        problems.append(
            problem(
                "period_after_construction",
                _("保証期限は工期末日以前の日付にしてください。"),
                "guarantee_period_end",
                STEP_WORK,
            )
        )
    effective_end = application.effective_period_end
    if effective_end is not None and effective_end < today:
        problems.append(
            problem(
                "period_over",
                _("保証期限（工期末日）が過ぎています。日付を確認してください。"),
                "guarantee_period_end" if period_end else "construction_end",
                STEP_WORK,
            )
        )
    return problems


def _amount_problems(application: Application, today: dt.date) -> list[ApplicationError]:
    problems: list[ApplicationError] = []
    total, amount = application.contract_amount_total, application.guarantee_amount
    if total is None:
        problems.append(
            problem(
                "total_required",
                _("請負金額(総額)を入力してください。"),
                "contract_amount_total",
                STEP_AMOUNTS,
            )
        )
    if application.multi_year and application.contract_amount_target is None:
        problems.append(
            problem(
                "target_required",
                _("複数年度の工事は請負金額(対象額)を入力してください。"),
                "contract_amount_target",
                STEP_AMOUNTS,
            )
        )
    if amount is None:
        problems.append(
            problem("amount_required", _("保証金額を入力してください。"), "guarantee_amount", STEP_AMOUNTS)
        )
    target = application.target_amount
    if total is not None and target is not None and amount is not None and application.orderer is not None:
        try:
            guarantee_rules.validate_amounts(
                orderer=application.orderer,
                kind=application.kind,
                contract_amount_total=total,
                contract_amount_target=target,
                guarantee_amount=amount,
            )
        except GuaranteeError as exc:
            problems.append(problem(exc.code, exc.message, exc.field or "guarantee_amount", STEP_AMOUNTS))
    if application.kind == GuaranteeKind.INTERIM_ADVANCE:
        progress = application.progress_amount
        if progress is None:
            problems.append(
                problem("progress_required", _("出来高を入力してください。"), "progress_amount", STEP_AMOUNTS)
            )
        elif target is not None and progress * 2 < target:
            problems.append(
                problem(
                    "progress_below_half",
                    _("中間前払金は出来高が請負金額(対象額)の2分の1（%(half)s円）以上の工事に限ります。")
                    % {"half": f"{-(-target // 2):,}"},
                    "progress_amount",
                    STEP_AMOUNTS,
                )
            )
        start, end = application.construction_start, application.construction_end
        if start is not None and end is not None and today < interim_midpoint(start, end):
            problems.append(
                problem(
                    "interim_too_early",
                    _("中間前払金は工期の2分の1を経過した後（%(day)s以降）にお申し込みください。")
                    % {"day": f"{interim_midpoint(start, end):%Y/%m/%d}"},
                    "construction_start",
                    STEP_WORK,
                )
            )
    return problems


def _account_problems(application: Application) -> list[ApplicationError]:
    if not application.needs_account:
        return []
    problems: list[ApplicationError] = []
    if application.bank_id is None:
        problems.append(problem("bank_required", _("預託金融機関を選んでください。"), "bank", STEP_ACCOUNT))
    if not application.account_type:
        problems.append(
            problem("account_type_required", _("預金種目を選んでください。"), "account_type", STEP_ACCOUNT)
        )
    if not ACCOUNT_NUMBER.match(application.account_number):
        problems.append(
            problem(
                "account_number_invalid",
                _("口座番号は7桁の数字で入力してください。"),
                "account_number",
                STEP_ACCOUNT,
            )
        )
    if not application.account_holder.strip():
        problems.append(
            problem(
                "account_holder_required", _("口座名義を入力してください。"), "account_holder", STEP_ACCOUNT
            )
        )
    return problems


def required_documents(application: Application) -> list[str]:
    if application.purpose == Application.Purpose.CANCEL:
        return []
    if application.purpose == Application.Purpose.CHANGE:
        return [ApplicationDocument.DocType.CONTRACT]
    if application.kind == GuaranteeKind.INTERIM_ADVANCE:
        return [ApplicationDocument.DocType.CERTIFICATION]
    return [ApplicationDocument.DocType.CONTRACT]


def _document_problems(application: Application) -> list[ApplicationError]:
    present = set(application.documents.values_list("doc_type", flat=True))
    problems = []
    for doc_type in required_documents(application):
        if doc_type not in present:
            label = ApplicationDocument.DocType(doc_type).label
            problems.append(
                problem(
                    f"{doc_type}_document_required",
                    _("%(label)sをアップロードしてください。") % {"label": label},
                    "documents",
                    STEP_DOCUMENTS,
                )
            )
    return problems


def submission_problems(application: Application, *, today: dt.date) -> list[ApplicationError]:
    """Every reason the application cannot be submitted yet; empty when it can."""
    if application.purpose != Application.Purpose.NEW:
        return changes.change_problems(application, today) + _document_problems(application)
    return (
        _kind_problems(application)
        + _work_problems(application, today)
        + _amount_problems(application, today)
        + _account_problems(application)
        + _document_problems(application)
    )
