"""The business rules of guarantees, as pure functions: which medium, which amounts are allowed."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from .errors import GuaranteeError
from .models import Guarantee, GuaranteeKind, Orderer


def medium_for(*, orderer: Orderer, kind: str, concluded_on: dt.date, parent: Guarantee | None = None) -> str:
    """電子 when the orderer had adopted e-guarantees on the day the guarantee was concluded.

    A 中間前払金保証 or 契約保証特約 follows the 前払金保証 it belongs to: when that was concluded
    before the orderer's adoption date it stays paper (the brochure's 注意事項).
    """
    base_day = concluded_on
    if kind != GuaranteeKind.ADVANCE and parent is not None:
        base_day = min(concluded_on, parent.concluded_on)
        if parent.medium == Guarantee.Medium.PAPER:
            return Guarantee.Medium.PAPER
    if orderer.has_adopted_e_guarantee_by(base_day):
        return Guarantee.Medium.ELECTRONIC
    return Guarantee.Medium.PAPER


def validate_amounts(
    *,
    orderer: Orderer,
    kind: str,
    contract_amount_total: int,
    contract_amount_target: int,
    guarantee_amount: int,
) -> None:
    """Raise ``GuaranteeError`` with a message for the first amount that breaks the orderer's rules."""
    for field, value in (
        ("contract_amount_total", contract_amount_total),
        ("contract_amount_target", contract_amount_target),
        ("guarantee_amount", guarantee_amount),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise GuaranteeError(
                "amount_not_positive", _("金額は1円以上の整数（円）で入力してください。"), field=field
            )
    if contract_amount_target > contract_amount_total:
        raise GuaranteeError(
            "target_exceeds_total",
            _("請負金額(対象額)は請負金額(総額)以下にしてください。"),
            field="contract_amount_target",
        )
    if (
        kind == GuaranteeKind.ADVANCE
        and guarantee_amount * 10 > contract_amount_target * orderer.advance_max_tenths
    ):
        raise GuaranteeError(
            "advance_too_large",
            _("前払金の保証金額は請負金額(対象額)の10分の%(n)d以内にしてください（上限 %(limit)s円）。")
            % {
                "n": orderer.advance_max_tenths,
                "limit": f"{contract_amount_target * orderer.advance_max_tenths // 10:,}",
            },
            field="guarantee_amount",
        )
    if (
        kind == GuaranteeKind.INTERIM_ADVANCE
        and guarantee_amount * 10 > contract_amount_target * orderer.interim_max_tenths
    ):
        raise GuaranteeError(
            "interim_too_large",
            _("中間前払金の保証金額は請負金額(対象額)の10分の%(n)d以内にしてください（上限 %(limit)s円）。")
            % {
                "n": orderer.interim_max_tenths,
                "limit": f"{contract_amount_target * orderer.interim_max_tenths // 10:,}",
            },
            field="guarantee_amount",
        )
    if (
        kind == GuaranteeKind.CONTRACT
        and guarantee_amount * 10 < contract_amount_total * orderer.contract_min_tenths
    ):
        minimum = -(-contract_amount_total * orderer.contract_min_tenths // 10)
        raise GuaranteeError(
            "contract_too_small",
            _("契約保証の保証金額は請負金額の10分の%(n)d以上にしてください（下限 %(limit)s円）。")
            % {"n": orderer.contract_min_tenths, "limit": f"{minimum:,}"},
            field="guarantee_amount",
        )


def validate_dates(
    *, concluded_on: dt.date, guarantee_period_end: dt.date, construction_end_date: dt.date
) -> None:
    if guarantee_period_end < concluded_on:
        raise GuaranteeError(
            "period_before_conclusion",
            _("保証期間は保証契約締結日以後の日付にしてください。"),
            field="guarantee_period_end",
        )
    if construction_end_date < concluded_on:
        raise GuaranteeError(
            "construction_end_before_conclusion",
            _("工期末日は保証契約締結日以後の日付にしてください。"),
            field="construction_end_date",
        )
