"""Base classes of the staff admin shared by every app's ModelAdmins: branch scoping, read-only
records and the one range of typed dates."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from .fields import BusinessDateField


def staff_branch_id(request: HttpRequest) -> int | None:
    """The branch a clerk is limited to, or None for head-office staff and superusers."""
    user = request.user
    if not user.is_authenticated or user.is_superuser:
        return None
    return getattr(user, "branch_id", None)


class ReadOnlyAdminMixin:
    """Records that only the portal writes (audit rows, attempts, sent mail): staff may look, never
    add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


#: Every date staff type in admin has the portal's one range (portal.fields).
DATE_FIELD_OVERRIDES: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.DateField: {"form_class": BusinessDateField}
}


class BranchScopedAdmin(admin.ModelAdmin):
    """A clerk with a branch sees and acts on that branch's records only (``branch_lookup`` is the
    path from the model to its branch)."""

    branch_lookup = "branch"
    formfield_overrides = DATE_FIELD_OVERRIDES

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        branch_id = staff_branch_id(request)
        if branch_id is not None:
            queryset = queryset.filter(**{f"{self.branch_lookup}_id": branch_id})
        return queryset
