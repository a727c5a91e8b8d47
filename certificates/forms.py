"""Forms around certificates: the staff's 変更 form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guarantees.models import Guarantee
from portal.fields import BusinessDateField, YenField

from .services import GuaranteeChanges


class GuaranteeChangeForm(forms.Form):
    guarantee_amount = YenField(label=_("保証金額（円）"), required=False)
    contract_amount_total = YenField(label=_("請負金額(総額)（円）"), required=False)
    contract_amount_target = YenField(label=_("請負金額(対象額)（円）"), required=False)
    construction_end_date = BusinessDateField(
        label=_("工期末日"),
        required=False,
        help_text=_("工期の延長に伴う保証期間の延長は自動です（変更の保証証書は発行しません）。"),
    )
    guarantee_period_end = BusinessDateField(label=_("保証期間"), required=False)
    reason = forms.CharField(
        label=_("変更の内容"), max_length=200, help_text=_("例: 増額、減額、保証期限変更")
    )

    def __init__(self, *args: Any, guarantee: Guarantee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("guarantee_amount", "contract_amount_total", "contract_amount_target"):
            self.fields[name].widget.attrs["placeholder"] = f"{getattr(guarantee, name):,}"
        for name in ("construction_end_date", "guarantee_period_end"):
            self.fields[name].widget.attrs["placeholder"] = getattr(guarantee, name).isoformat()

    def changes(self) -> GuaranteeChanges:
        data = self.cleaned_data
        return GuaranteeChanges(
            guarantee_amount=data.get("guarantee_amount"),
            contract_amount_total=data.get("contract_amount_total"),
            contract_amount_target=data.get("contract_amount_target"),
            guarantee_period_end=data.get("guarantee_period_end"),
            construction_end_date=data.get("construction_end_date"),
        )
