"""The rate table and its discounts, which only staff with ``manage_fee_rates`` may change, and the
fee quote staff use to answer questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guarantees.admin import DATE_FIELD_OVERRIDES
from guarantees.fields import BusinessDateField, DateInput, YenField
from guarantees.formatting import yen
from guarantees.models import GuaranteeKind, Orderer

from .. import selectors
from ..models import FeeDiscount, FeeRate


class _RateAdminBase(admin.ModelAdmin):
    """Rows apply from ``valid_from``; once a row is in force it is history and stays as it was."""

    formfield_overrides = DATE_FIELD_OVERRIDES

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("applications.manage_fee_rates") and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not request.user.has_perm("applications.manage_fee_rates"):
            return False
        if obj is not None and obj.valid_from <= timezone.localdate():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj) and obj is not None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class _FutureDateForm(forms.ModelForm):
    def clean_valid_from(self) -> Any:
        valid_from = self.cleaned_data["valid_from"]
        if valid_from < timezone.localdate():
            raise forms.ValidationError(
                _("適用開始日は今日以後の日付にしてください（過去の見積りは変えられません）。")
            )
        return valid_from


class FeeRateForm(_FutureDateForm):
    class Meta:
        model = FeeRate
        fields = ["kind", "orderer_kind", "amount_from", "rate_percent", "valid_from", "note"]


class FeeDiscountForm(_FutureDateForm):
    class Meta:
        model = FeeDiscount
        fields = ["kind", "min_amount", "amount_off", "label", "valid_from", "note"]


class QuoteForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("区分"), choices=GuaranteeKind.choices)
    orderer_kind = forms.ChoiceField(label=gettext_lazy("発注者区分"), choices=Orderer.Kind.choices)
    amount = YenField(label=gettext_lazy("保証金額（円）"))
    on = BusinessDateField(label=gettext_lazy("計算日"), widget=DateInput())


@admin.register(FeeRate)
class FeeRateAdmin(_RateAdminBase):
    form = FeeRateForm
    list_display = ["kind", "orderer_kind", "amount_from_display", "rate_percent", "valid_from", "note"]
    list_filter = ["kind", "orderer_kind", "valid_from"]
    change_list_template = "admin/applications/feerate/change_list.html"

    def get_urls(self) -> list[Any]:
        return [
            path("quote/", self.admin_site.admin_view(self.quote_view), name="applications_feerate_quote"),
            *super().get_urls(),
        ]

    def quote_view(self, request: HttpRequest) -> HttpResponse:
        """保証料の試算: the same quote the contractor's form shows, for staff answering questions."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = QuoteForm(request.GET or None, initial={"on": timezone.localdate()})
        quote = None
        missing = False
        if form.is_valid():
            data = form.cleaned_data
            quote = selectors.fee_quote(
                kind=data["kind"], orderer_kind=data["orderer_kind"], amount=data["amount"], on=data["on"]
            )
            missing = quote is None
        context = {
            **self.admin_site.each_context(request),
            "title": _("保証料の試算"),
            "opts": self.model._meta,
            "form": form,
            "quote": quote,
            "missing": missing,
        }
        return TemplateResponse(request, "admin/applications/feerate/quote.html", context)

    @admin.display(description=gettext_lazy("保証金額（この額を超える部分から）"), ordering="amount_from")
    def amount_from_display(self, obj: FeeRate) -> str:
        return format_html("{}円", yen(obj.amount_from))


@admin.register(FeeDiscount)
class FeeDiscountAdmin(_RateAdminBase):
    form = FeeDiscountForm
    list_display = ["label", "kind", "min_amount", "amount_off", "valid_from", "note"]
    list_filter = ["kind"]
