"""A change (増額・減額・保証期限変更) or 解約 of an issued guarantee: what it asks of the guarantee,
before → after as people read it, and what stops its submission or approval.

The resulting guarantee is checked by the very function the approval applies
(``certificates.services.guarantee_change_preview``); a 減額 of an advance may not go below what was
already paid out of it (``advances.selectors.withdrawn_total``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from advances import selectors as advance_selectors
from certificates.services import (
    ChangePreview,
    GuaranteeChanges,
    guarantee_change_preview,
    guarantee_values_after,
)
from guarantees.errors import GuaranteeError
from guarantees.models import Guarantee

from .errors import ApplicationError
from .models import Application
from .steps import STEP_CHANGE, problem

#: The application's field for each changeable field of the guarantee.
_CHANGE_FIELDS: dict[str, str] = {
    "guarantee_amount": "guarantee_amount",
    "contract_amount_total": "contract_amount_total",
    "contract_amount_target": "contract_amount_target",
    "construction_end_date": "construction_end",
    "guarantee_period_end": "guarantee_period_end",
}
_AMOUNT_FIELDS = ("guarantee_amount", "contract_amount_total", "contract_amount_target")
_DATE_FIELDS = ("construction_end_date", "guarantee_period_end")


def change_values(application: Application) -> GuaranteeChanges:
    """What a change application asks of its guarantee: for 増額・減額 the amounts, for a
    保証期限変更 the dates. A blank field, or one still holding the current value (the form is
    prefilled with it), leaves the value as it is; so a guarantee period that ended with the
    construction period still follows an extension (注2)."""
    target = application.target_guarantee
    if target is None or application.purpose != Application.Purpose.CHANGE:
        return GuaranteeChanges()
    fields = _DATE_FIELDS if application.change_type == Application.ChangeType.PERIOD else _AMOUNT_FIELDS
    values: dict[str, Any] = {}
    for field in fields:
        value = getattr(application, _CHANGE_FIELDS[field])
        if value is not None and value != getattr(target, field):
            values[field] = value
    return GuaranteeChanges(**values)


def change_preview(application: Application) -> ChangePreview:
    """The whole guarantee this change application would leave, checked by the very function its
    approval applies (``certificates.services.guarantee_change_preview``). Raises
    ``GuaranteeError``."""
    return guarantee_change_preview(guarantee=_target_of(application), changes=change_values(application))


def _target_of(application: Application) -> Guarantee:
    if application.target_guarantee is None:
        raise ApplicationError(
            "target_required", _("変更・解約する保証契約を選んでください。"), field="target_guarantee"
        )
    return application.target_guarantee


def change_result_problems(application: Application) -> list[ApplicationError]:
    """The resulting guarantee broken by the change, as the approval would find it; and a 減額 of
    an advance below what was already paid out of it. Checked on submission and again on approval."""
    target = _target_of(application)
    try:
        preview = change_preview(application)
    except GuaranteeError as exc:
        field = _CHANGE_FIELDS.get(exc.field or "", "guarantee_amount")
        return [problem(exc.code, exc.message, field, STEP_CHANGE)]
    if "guarantee_amount" not in preview.changed:
        return []
    withdrawn = advance_selectors.withdrawn_total(guarantee=target)
    if preview.after["guarantee_amount"] < withdrawn:
        return [
            problem(
                "below_withdrawn",
                _("前払金は既に%(withdrawn)s円を払い出しています。変更後の保証金額はそれ以上にしてください。")
                % {"withdrawn": f"{withdrawn:,}"},
                "guarantee_amount",
                STEP_CHANGE,
            )
        ]
    return []


@dataclass(frozen=True)
class ChangeLine:
    """One row of before → after: a changeable value of the guarantee."""

    label: str
    before: Any
    after: Any
    is_amount: bool

    @property
    def changed(self) -> bool:
        return self.before != self.after


def change_lines(application: Application) -> list[ChangeLine]:
    """Before → after of every changeable value, for the contractor's confirm page and the clerk's
    approval page: the same values the approval would write (unchecked here; the problems say what
    is wrong)."""
    target = application.target_guarantee
    if target is None or application.purpose != Application.Purpose.CHANGE or not application.change_type:
        return []
    after = guarantee_values_after(guarantee=target, changes=change_values(application))
    labels = {
        "guarantee_amount": _("保証金額"),
        "contract_amount_total": _("請負金額(総額)"),
        "contract_amount_target": _("請負金額(対象額)"),
        "construction_end_date": _("工期末日"),
        "guarantee_period_end": _("保証期限"),
    }
    return [
        ChangeLine(
            label=str(label),
            before=getattr(target, field),
            after=after[field],
            is_amount=field in _AMOUNT_FIELDS,
        )
        for field, label in labels.items()
    ]


def change_problems(application: Application, today: dt.date) -> list[ApplicationError]:
    """Every reason the change or 解約 cannot be submitted yet; empty when it can."""
    problems: list[ApplicationError] = []
    target = application.target_guarantee
    if target is None or target.contractor_id != application.contractor_id:
        return [
            problem(
                "target_required",
                _("変更・解約する保証契約を選んでください。"),
                "target_guarantee",
                STEP_CHANGE,
            )
        ]
    if not target.is_in_force(today=today):
        problems.append(
            problem(
                "target_not_in_force",
                _("有効な保証契約だけが変更・解約できます。"),
                "target_guarantee",
                STEP_CHANGE,
            )
        )
    if not application.reason.strip():
        problems.append(problem("reason_required", _("理由を入力してください。"), "reason", STEP_CHANGE))
    if application.purpose == Application.Purpose.CANCEL:
        return problems
    change_type = application.change_type
    if not change_type:
        return [
            *problems,
            problem("change_type_required", _("変更の内容を選んでください。"), "change_type", STEP_CHANGE),
        ]
    amount = application.guarantee_amount
    if change_type in (Application.ChangeType.INCREASE, Application.ChangeType.DECREASE):
        if amount is None:
            problems.append(
                problem(
                    "amount_required",
                    _("変更後の保証金額を入力してください。"),
                    "guarantee_amount",
                    STEP_CHANGE,
                )
            )
        elif change_type == Application.ChangeType.INCREASE and amount <= target.guarantee_amount:
            problems.append(
                problem(
                    "not_an_increase",
                    _("増額は現在の保証金額（%(now)s円）より大きい額にしてください。")
                    % {"now": f"{target.guarantee_amount:,}"},
                    "guarantee_amount",
                    STEP_CHANGE,
                )
            )
        elif change_type == Application.ChangeType.DECREASE and amount >= target.guarantee_amount:
            problems.append(
                problem(
                    "not_a_decrease",
                    _("減額は現在の保証金額（%(now)s円）より小さい額にしてください。")
                    % {"now": f"{target.guarantee_amount:,}"},
                    "guarantee_amount",
                    STEP_CHANGE,
                )
            )
        else:
            problems += change_result_problems(application)
    if change_type == Application.ChangeType.PERIOD:
        found = len(problems)
        end = application.construction_end
        if end is None:
            problems.append(
                problem(
                    "construction_end_required",
                    _("変更後の工期末日を入力してください。"),
                    "construction_end",
                    STEP_CHANGE,
                )
            )
        elif end == target.construction_end_date and application.guarantee_period_end in (
            None,
            target.guarantee_period_end,
        ):
            problems.append(
                problem(
                    "nothing_changed",
                    _("工期末日・保証期限が変わっていません。"),
                    "construction_end",
                    STEP_CHANGE,
                )
            )
        elif end < today:
            problems.append(
                problem("period_over", _("変更後の工期末日が過ぎています。"), "construction_end", STEP_CHANGE)
            )
        if (
            application.guarantee_period_end is not None
            and end is not None
            and application.guarantee_period_end > end
        ):
            problems.append(
                problem(
                    "period_after_construction",
                    _("保証期限は工期末日以前の日付にしてください。"),
                    "guarantee_period_end",
                    STEP_CHANGE,
                )
            )
        if len(problems) == found:
            problems += change_result_problems(application)
    return problems
