"""Branch staff's workplace: guarantors, branches, contractors, orderers, banks, number sequences and
the audit trail. Guarantees themselves are administered in certificates.admin, beside the actions
they offer (issuing certificates, reissuing keys)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.admin import DATE_FIELD_OVERRIDES, BranchScopedAdmin, ReadOnlyAdminMixin

from . import audit
from .models import (
    AuditEvent,
    Bank,
    Branch,
    Contractor,
    GuaranteeNumberSequence,
    GuarantorCompany,
    Orderer,
    OrdererDepartment,
)


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
