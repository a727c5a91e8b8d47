"""The contractor's step forms. Every field is optional while drafting; the confirm page and
``applications.rules`` say what is still missing."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from guarantees.fields import BusinessDateField, DateInput, YenField
from guarantees.models import Bank, Branch, Guarantee, GuaranteeKind, Orderer

from .models import Application, ApplicationDocument


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return BusinessDateField(
        label=label,
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("日付は 2026-07-01 の形で入力してください。")},
        **kwargs,
    )


class KindStepForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("取扱支店"), queryset=Branch.objects.all(), required=False, empty_label=_("選択してください")
    )
    orderer = forms.ModelChoiceField(
        label=_("発注者"), queryset=Orderer.objects.all(), required=False, widget=forms.RadioSelect
    )
    parent_guarantee = forms.ModelChoiceField(
        label=_("元の前払金保証"),
        queryset=Guarantee.objects.none(),
        required=False,
        empty_label=_("選択してください"),
    )
    parent_application = forms.ModelChoiceField(
        label=_("同時に申し込む前払金保証の申込"),
        queryset=Application.objects.none(),
        required=False,
        empty_label=_("選択してください"),
    )
    advance_planned = forms.BooleanField(label=_("前払金の請求を予定している"), required=False)

    def __init__(
        self, *args: Any, application: Application, orderer_results: list[Orderer], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only the search results, the chosen orderer and the posted one are listed (never every
        # orderer); the posted one is included so that it validates.
        shown = {orderer.pk for orderer in orderer_results}
        if application.orderer_id:
            shown.add(application.orderer_id)
        posted = self.data.get("orderer", "") if self.is_bound else ""
        if isinstance(posted, str) and posted.isdigit():
            shown.add(int(posted))
        self.fields["orderer"].queryset = Orderer.objects.filter(pk__in=shown)  # type: ignore[attr-defined]
        advances: QuerySet[Guarantee] = Guarantee.objects.filter(
            contractor_id=application.contractor_id,
            kind=GuaranteeKind.ADVANCE,
            status=Guarantee.Status.ACTIVE,
        )
        self.fields["parent_guarantee"].queryset = advances  # type: ignore[attr-defined]
        self.fields["parent_application"].queryset = Application.objects.filter(  # type: ignore[attr-defined]
            contractor_id=application.contractor_id, purpose="new", kind=GuaranteeKind.ADVANCE
        ).exclude(state=Application.State.REFUSED)
        if application.kind == GuaranteeKind.ADVANCE:
            for name in ("parent_guarantee", "parent_application", "advance_planned"):
                del self.fields[name]
        elif application.kind == GuaranteeKind.INTERIM_ADVANCE:
            del self.fields["parent_application"]
            del self.fields["advance_planned"]


class WorkStepForm(forms.Form):
    work_name = forms.CharField(label=_("工事名"), max_length=200, required=False)
    work_place = forms.CharField(label=_("工事場所"), max_length=200, required=False)
    contract_date = _date(_("契約締結日"))
    construction_start = _date(_("工期開始日"))
    construction_end = _date(_("工期末日"))
    guarantee_period_end = _date(
        _("保証期限"), help_text=_("空欄は工期末日と同じです。複数年度の工事で年度末までの場合に入力します。")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("construction_start"), data.get("construction_end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("construction_end", _("工期末日は工期開始日以後の日付にしてください。"))
        return data


class AmountsStepForm(forms.Form):
    multi_year = forms.BooleanField(label=_("複数年度の工事（対象額を別に入力）"), required=False)
    contract_amount_total = YenField(label=_("請負金額(総額)（円）"), required=False)
    contract_amount_target = YenField(label=_("請負金額(対象額)（円）"), required=False)
    guarantee_amount = YenField(label=_("保証金額（円）"), required=False)
    progress_amount = YenField(label=_("出来高（円）"), required=False, min_value=0)

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            GuaranteeKind.ADVANCE: _("前払金額（保証金額）（円）"),
            GuaranteeKind.INTERIM_ADVANCE: _("中間前払金額（保証金額）（円）"),
            GuaranteeKind.CONTRACT: _("契約保証金額（円）"),
        }
        self.fields["guarantee_amount"].label = labels[GuaranteeKind(application.kind)]
        self.fields["guarantee_amount"].widget.attrs["data-quote-amount"] = "1"
        if application.kind != GuaranteeKind.INTERIM_ADVANCE:
            del self.fields["progress_amount"]


def normalize_account_number(value: str) -> str:
    return re.sub(r"[\s\-‐－ー−]", "", unicodedata.normalize("NFKC", value))


class AccountStepForm(forms.Form):
    bank = forms.ModelChoiceField(
        label=_("預託金融機関"),
        queryset=Bank.objects.all(),
        required=False,
        empty_label=_("選択してください"),
    )
    account_type = forms.ChoiceField(
        label=_("預金種目"),
        choices=[("", _("選択してください")), *Application.AccountType.choices],
        required=False,
    )
    account_number = forms.CharField(label=_("口座番号（7桁）"), max_length=20, required=False)
    account_holder = forms.CharField(label=_("口座名義"), max_length=100, required=False)

    def clean_account_number(self) -> str:
        number = normalize_account_number(self.cleaned_data.get("account_number") or "")
        if number and not re.fullmatch(r"\d{7}", number):
            raise forms.ValidationError(_("口座番号は7桁の数字で入力してください。"))
        return number


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("書類の種類"), choices=ApplicationDocument.DocType.choices)
    file = forms.FileField(
        label=_("ファイル（PDF・JPEG・PNG、10MBまで）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class ChangeStepForm(forms.Form):
    change_type = forms.ChoiceField(
        label=_("変更の内容"), choices=[("", "---------"), *Application.ChangeType.choices], required=False
    )
    guarantee_amount = YenField(label=_("変更後の保証金額（円）"), required=False)
    contract_amount_total = YenField(label=_("変更後の請負金額(総額)（円）"), required=False)
    contract_amount_target = YenField(label=_("変更後の請負金額(対象額)（円）"), required=False)
    construction_end = _date(_("変更後の工期末日"))
    guarantee_period_end = _date(_("変更後の保証期限"), help_text=_("空欄は工期末日に合わせます。"))
    reason = forms.CharField(label=_("理由"), max_length=200, required=False)

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if application.purpose == Application.Purpose.CANCEL:
            for name in list(self.fields):
                if name != "reason":
                    del self.fields[name]
            self.fields["reason"].label = _("解約の理由")


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("コメント（修正してほしい点）"), widget=forms.Textarea(attrs={"rows": 4})
    )


class RefuseForm(forms.Form):
    comment = forms.CharField(label=_("謝絶の理由"), widget=forms.Textarea(attrs={"rows": 4}))


class FeePaymentForm(forms.Form):
    amount = YenField(label=_("入金額（円）"), min_value=0)
    paid_on = BusinessDateField(label=_("入金日"), widget=DateInput())
