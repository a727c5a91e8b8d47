"""Authentication keys in admin: when each was issued and revoked. Never the key itself."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portal.admin import BranchScopedAdmin

from .models import AuthKey


@admin.register(AuthKey)
class AuthKeyAdmin(BranchScopedAdmin):
    branch_lookup = "guarantee__branch"
    list_display = ["guarantee", "created_at", "created_by", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["guarantee__number"]
    fields = ["guarantee", "created_at", "created_by", "revoked_at"]
    readonly_fields = ["guarantee", "created_at", "created_by", "revoked_at"]
    list_select_related = ["guarantee", "created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
