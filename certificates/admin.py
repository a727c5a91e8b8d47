"""Issued certificate versions: read-only in admin, as they are in the database."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from guarantees.admin import BranchScopedAdmin
from guarantees.formatting import slash_date, yen

from .models import Certificate


@admin.register(Certificate)
class CertificateAdmin(BranchScopedAdmin):
    branch_lookup = "guarantee__branch"
    list_display = [
        "contract_number",
        "version",
        "is_change",
        "medium",
        "title",
        "work_name",
        "amount",
        "issued",
        "registered_at",
    ]
    list_filter = ["medium", "is_change", "kind"]
    search_fields = ["contract_number", "work_name", "contractor_name", "orderer_title"]
    show_full_result_count = False

    @admin.display(description=_("保証金額"), ordering="guarantee_amount")
    def amount(self, obj: Certificate) -> str:
        return yen(obj.guarantee_amount)

    @admin.display(description=_("証書発行日"), ordering="issued_on")
    def issued(self, obj: Certificate) -> str:
        return slash_date(obj.issued_on)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
