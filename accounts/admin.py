"""Accounts in admin: staff issue contractors' login IDs and manage branch staff."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "contractor",
        "branch",
        "is_staff",
        "is_active",
        "must_change_password",
        "last_login",
    ]
    list_filter = ["is_staff", "is_active", "branch"]
    search_fields = ["username", "contractor__company_name", "email"]
    list_select_related = ["contractor", "branch"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("所属"), {"fields": ("contractor", "branch", "email", "must_change_password")}),
        (_("権限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("日時"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "contractor", "branch", "email", "password1", "password2"),
            },
        ),
    )
