"""The contractor's forms of an advance's paperwork: the 使途内訳明細書 rows and the 払出依頼書."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guarantees.fields import BusinessDateField, DateInput, YenField

from .models import UNDECIDED, PayoutMethod, UseCategory


class UseRowForm(forms.Form):
    category = forms.ChoiceField(label=_("前払金を使用する項目"), choices=UseCategory.choices)
    quantity = forms.CharField(label=_("全所要数量"), max_length=50, required=False)
    total_required = YenField(label=_("全所要金額（円）"), required=False)
    advance_use = YenField(label=_("前払金使用金額（円）"), required=False)
    payout_method = forms.ChoiceField(label=_("払出方法"), choices=PayoutMethod.choices, required=False)
    payout_schedule = forms.CharField(label=_("払出予定"), max_length=50, required=False)
    payee = forms.CharField(label=_("支払先"), max_length=100, required=False)

    #: What a blank saves as 未定 (a blank 全所要金額 is 未定 too).
    UNDECIDED_FIELDS = ("quantity", "total_required", "payout_schedule", "payee")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.initial.get("advance_use"):
            # A saved row: its 未定 items are blank inputs marked 未定, never the text in the input.
            for name in self.UNDECIDED_FIELDS:
                if self.initial.get(name) in (None, ""):
                    self.fields[name].widget.attrs["placeholder"] = UNDECIDED


UseRowFormSet = forms.formset_factory(UseRowForm, extra=0)


class WithdrawalLineForm(forms.Form):
    category = forms.ChoiceField(
        label=_("項目"), choices=[("", "---------"), *UseCategory.choices], required=False
    )
    payee = forms.CharField(label=_("支払先"), max_length=100, required=False)
    amount = YenField(label=_("金額（円）"), required=False)


WithdrawalLineFormSet = forms.formset_factory(WithdrawalLineForm, extra=5)


class WithdrawalForm(forms.Form):
    requested_on = BusinessDateField(label=_("払出希望日"), widget=DateInput())
