"""Branch staff's workplace: contractors, orderers, banks, guarantees and the audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User

from . import audit, search, services
from .errors import GuaranteeError
from .fields import BusinessDateField
from .formatting import slash_date, yen
from .models import (
    AuditEvent,
    Bank,
    Branch,
    Contractor,
    Guarantee,
    GuaranteeNumberSequence,
    GuarantorCompany,
    Orderer,
    OrdererDepartment,
)
from .status import STATUS_CHOICES, filter_by_status, guarantee_status


def staff_branch_id(request: HttpRequest) -> int | None:
    """The branch a clerk is limited to, or None for head-office staff and superusers."""
    user = request.user
    if not isinstance(user, User) or user.is_superuser:
        return None
    return user.branch_id


class ReadOnlyAdminMixin:
    """Records that only the portal writes (audit rows, attempts, sent mail): staff may look, never
    add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


#: Every date staff type in admin has the portal's one range (guarantees.fields).
DATE_FIELD_OVERRIDES: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.DateField: {"form_class": BusinessDateField}
}


class BranchScopedAdmin(admin.ModelAdmin):
    """A clerk with a branch sees and acts on that branch's guarantees only."""

    branch_lookup = "branch"
    formfield_overrides = DATE_FIELD_OVERRIDES

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        branch_id = staff_branch_id(request)
        if branch_id is not None:
            queryset = queryset.filter(**{f"{self.branch_lookup}_id": branch_id})
        return queryset


@admin.register(GuarantorCompany)
class GuarantorCompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "representative_title", "representative_name"]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "address", "tel", "fax"]
    search_fields = ["code", "name"]


@admin.register(Contractor)
class ContractorAdmin(admin.ModelAdmin):
    list_display = ["company_name", "office_name", "address", "created_at"]
    search_fields = ["company_name", "office_name", "address"]


class OrdererDepartmentInline(admin.TabularInline):
    model = OrdererDepartment
    extra = 0


class AdoptionFilter(admin.SimpleListFilter):
    title = gettext_lazy("電子保証")
    parameter_name = "adopted"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", _("導入済み")), ("no", _("未導入"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(e_guarantee_adopted_on__isnull=False)
        if self.value() == "no":
            return queryset.filter(e_guarantee_adopted_on__isnull=True)
        return queryset


@admin.register(Orderer)
class OrdererAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "e_guarantee_adopted_on"]
    formfield_overrides = DATE_FIELD_OVERRIDES
    list_filter = ["kind", AdoptionFilter]
    search_fields = ["title", "organisation"]
    inlines = [OrdererDepartmentInline]


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["name", "branch_name"]
    search_fields = ["name", "branch_name"]


@admin.register(GuaranteeNumberSequence)
class GuaranteeNumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["branch", "kind", "last_serial"]
    readonly_fields = ["branch", "kind", "last_serial"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InForceFilter(admin.SimpleListFilter):
    title = gettext_lazy("保証期間")
    parameter_name = "in_force"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("current", _("有効")), ("past", _("過去の保証"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "current":
            return queryset.current()  # type: ignore[attr-defined]
        if self.value() == "past":
            return queryset.past()  # type: ignore[attr-defined]
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """状態 as a person reads it (有効, 保証期間満了, 解約, 取消), decided like every screen's."""

    title = gettext_lazy("状態")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(STATUS_CHOICES)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in dict(STATUS_CHOICES):
            return filter_by_status(queryset, str(self.value()))
        return queryset


# Amounts on a registered guarantee's page read 2,172,720,000円 (the display replacing each field).
GUARANTEE_YEN_FIELDS = {
    name: f"{name}_yen" for name in ("contract_amount_total", "contract_amount_target", "guarantee_amount")
}


class GuaranteeRegisterForm(forms.ModelForm):
    """Registration of a concluded guarantee; the number is allocated by the service."""

    class Meta:
        model = Guarantee
        fields = [
            "kind",
            "parent",
            "contractor",
            "orderer",
            "orderer_department",
            "branch",
            "bank",
            "work_name",
            "contract_amount_total",
            "contract_amount_target",
            "guarantee_amount",
            "concluded_on",
            "guarantee_period_end",
            "construction_end_date",
        ]


class EndGuaranteeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=200)
    on = BusinessDateField(label=gettext_lazy("日付"), initial=timezone.localdate)


@admin.register(Guarantee)
class GuaranteeAdmin(BranchScopedAdmin):
    list_display = [
        "number",
        "kind",
        "medium",
        "contractor",
        "orderer",
        "work_name",
        "amounts",
        "guarantee_amount_display",
        "status_display",
        "concluded_on",
    ]
    list_filter = ["kind", "medium", StatusFilter, InForceFilter, "branch"]
    search_fields = ["number", "work_name", "contractor__company_name", "orderer__title"]
    list_select_related = ["contractor", "orderer"]
    date_hierarchy = "concluded_on"
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = [
        "number",
        "medium",
        "status_display",
        "status_changed_on",
        "status_reason",
        "created_at",
        "updated_at",
        "certificate_links",
    ]
    exclude = ["status"]  # edited only through 解約 / 取消; shown as status_display
    actions = ["issue_certificates", "reissue_keys"]
    change_form_template = "admin/guarantees/guarantee/change_form.html"

    @admin.display(description=gettext_lazy("請負金額(総額) / (対象額)"))
    def amounts(self, obj: Guarantee) -> str:
        if obj.contract_amount_total == obj.contract_amount_target:
            return yen(obj.contract_amount_total)
        return f"{yen(obj.contract_amount_total)} / {yen(obj.contract_amount_target)}"

    @admin.display(description=gettext_lazy("保証金額"), ordering="guarantee_amount")
    def guarantee_amount_display(self, obj: Guarantee) -> str:
        return yen(obj.guarantee_amount)

    @admin.display(description=gettext_lazy("状態"), ordering="status")
    def status_display(self, obj: Guarantee) -> str:
        """有効 / 保証期間満了 / 解約 / 取消 on today's date in Japan (never the stored 有効 alone)."""
        return guarantee_status(obj).label

    @admin.display(description=gettext_lazy("証書"))
    def certificate_links(self, obj: Guarantee) -> str:
        versions = obj.certificates.order_by("version")
        return ", ".join(
            f"第{c.version}版{'(変更)' if c.is_change else ''} {slash_date(c.issued_on)}" for c in versions
        ) or _("未発行")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Guarantee], search_term: str
    ) -> tuple[QuerySet[Guarantee], bool]:
        # The same fields and matching as search_fields, written so that PostgreSQL uses the
        # trigram indexes (guarantees/search.py); no join, so no duplicates.
        if not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        return search.staff_search(queryset, search_term), False

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = GuaranteeRegisterForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        # After registration, amounts and dates change only through 変更 (which decides on a new
        # certificate version); the rest of the record through its own actions.
        # 状態 is shown as a person reads it (保証期間満了 follows from the date), not as stored.
        shown = {"status": "status_display", **GUARANTEE_YEN_FIELDS}
        return [shown.get(f.name, f.name) for f in Guarantee._meta.fields if f.name != "id"] + [
            "certificate_links"
        ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if obj is None:
            return list(super().get_fields(request, obj))
        return self.get_readonly_fields(request, obj)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # A registered guarantee is read-only here (変更, 解約 and 取消 are its actions): no 保存.
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=gettext_lazy("請負金額(総額)"))
    def contract_amount_total_yen(self, obj: Guarantee) -> str:
        return f"{yen(obj.contract_amount_total)}円"

    @admin.display(description=gettext_lazy("請負金額(対象額)"))
    def contract_amount_target_yen(self, obj: Guarantee) -> str:
        return f"{yen(obj.contract_amount_target)}円"

    @admin.display(description=gettext_lazy("保証金額"))
    def guarantee_amount_yen(self, obj: Guarantee) -> str:
        return f"{yen(obj.guarantee_amount)}円"

    def save_model(self, request: HttpRequest, obj: Guarantee, form: Any, change: bool) -> None:
        if change:
            return
        data = form.cleaned_data
        try:
            registered = services.guarantee_register(registered_by=request.user, **data)  # type: ignore[arg-type]
        except GuaranteeError as exc:
            raise _AdminActionError(exc.message) from exc
        obj.pk = registered.pk
        obj.number = registered.number
        obj.medium = registered.medium

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except _AdminActionError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # --- Actions ---------------------------------------------------------------------------------
    @admin.action(description=gettext_lazy("証書（電子証書・認証キー）を発行する"), permissions=["change"])
    def issue_certificates(self, request: HttpRequest, queryset: QuerySet[Guarantee]) -> None:
        from certificates.services import certificate_issue  # certificates builds on guarantees

        for guarantee in queryset:
            try:
                certificate_issue(guarantee=guarantee, issued_by=request.user)  # type: ignore[arg-type]
            except GuaranteeError as exc:
                self.message_user(request, f"{guarantee.number}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request, _("%(number)s の証書を発行しました。") % {"number": guarantee.number}
                )

    @admin.action(
        description=gettext_lazy("認証キーを再発行する（旧キーは直ちに無効）"), permissions=["change"]
    )
    def reissue_keys(self, request: HttpRequest, queryset: QuerySet[Guarantee]) -> None:
        from authkeys.services import authkey_reissue

        for guarantee in queryset:
            try:
                authkey_reissue(guarantee=guarantee, reissued_by=request.user)  # type: ignore[arg-type]
            except GuaranteeError as exc:
                self.message_user(request, f"{guarantee.number}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request, _("%(number)s の認証キーを再発行しました。") % {"number": guarantee.number}
                )

    # --- Per-object pages: 変更, 解約, 取消 ----------------------------------------------------------
    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/amend/", wrap(self.amend_view), name="guarantees_guarantee_amend"),
            path("<int:pk>/cancel/", wrap(self.cancel_view), name="guarantees_guarantee_cancel"),
            path("<int:pk>/revoke/", wrap(self.revoke_view), name="guarantees_guarantee_revoke"),
            *super().get_urls(),
        ]

    def _object_or_404(self, request: HttpRequest, pk: int) -> Guarantee:
        if not self.has_change_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def amend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        from certificates.forms import GuaranteeChangeForm
        from certificates.services import guarantee_change

        guarantee = self._object_or_404(request, pk)
        form = GuaranteeChangeForm(request.POST or None, guarantee=guarantee)
        if request.method == "POST" and form.is_valid():
            try:
                outcome = guarantee_change(
                    guarantee=guarantee,
                    changes=form.changes(),
                    changed_by=request.user,  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"],
                )
            except GuaranteeError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                if outcome.certificate is not None:
                    self.message_user(
                        request,
                        _("変更を登録し、第%(version)d版(変更)の証書を発行しました。")
                        % {"version": outcome.certificate.version},
                    )
                else:
                    self.message_user(
                        request, _("変更を登録しました。%(why)s") % {"why": outcome.reason_no_certificate}
                    )
                return HttpResponseRedirect(reverse("admin:guarantees_guarantee_change", args=[pk]))
        return self._render_form(request, guarantee, form, _("保証契約の変更"))

    def _end_view(self, request: HttpRequest, pk: int, *, revoke: bool) -> HttpResponse:
        guarantee = self._object_or_404(request, pk)
        form = EndGuaranteeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                if revoke:
                    services.guarantee_revoke(
                        guarantee=guarantee,
                        revoked_by=request.user,  # type: ignore[arg-type]
                        reason=form.cleaned_data["reason"],
                        revoked_on=form.cleaned_data["on"],
                    )
                else:
                    services.guarantee_cancel(
                        guarantee=guarantee,
                        cancelled_by=request.user,  # type: ignore[arg-type]
                        reason=form.cleaned_data["reason"],
                        cancelled_on=form.cleaned_data["on"],
                    )
            except GuaranteeError as exc:
                form.add_error(None, exc.message)
            else:
                done = _("取消しました。") if revoke else _("解約しました。")
                self.message_user(request, f"{guarantee.number}: {done}")
                return HttpResponseRedirect(reverse("admin:guarantees_guarantee_change", args=[pk]))
        title = _("保証契約の取消") if revoke else _("保証契約の解約")
        return self._render_form(request, guarantee, form, title)

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._end_view(request, pk, revoke=False)

    def revoke_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._end_view(request, pk, revoke=True)

    def _render_form(
        self, request: HttpRequest, guarantee: Guarantee, form: forms.Form, title: str
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": f"{guarantee.number} {guarantee.work_name}",
            "opts": self.model._meta,
            "original": guarantee,
            "form": form,
            "submit_label": _("登録する"),
        }
        return TemplateResponse(request, "admin/portal/action_form.html", context)


class _AdminActionError(Exception):
    pass


class AuditActionFilter(admin.SimpleListFilter):
    """操作: the actions the apps registered (guarantees.audit), under the query parameter the
    field's own filter used, so a filtered list keeps its address."""

    title = AuditEvent._meta.get_field("action").verbose_name
    parameter_name = "action__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(action), str(action.label)) for action in audit.registered()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(action=value) if value else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, BranchScopedAdmin):
    branch_lookup = "guarantee__branch"
    list_display = ["created_at", "action_display", "actor", "guarantee", "data"]
    list_filter = [AuditActionFilter, ("created_at", admin.DateFieldListFilter)]
    fields = ["action_display", "actor", "guarantee", "data"]
    readonly_fields = ["action_display"]
    search_fields = ["guarantee__number", "actor__username"]
    list_select_related = ["actor", "guarantee"]
    show_full_result_count = False

    @admin.display(description=AuditEvent._meta.get_field("action").verbose_name, ordering="action")
    def action_display(self, event: AuditEvent) -> str:
        return event.action_label
