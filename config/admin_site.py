"""The admin site staff use: with ``STAFF_REQUIRE_2FA`` it asks for a TOTP code at login and lets
in only sessions verified with a second factor (django-otp's OTPAdminSite).

The setting is read on each request, so tests and the embedded demo can switch it; production
refuses to start with it off (config/settings/production.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponse
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from accounts.forms import LoginLimitMixin, refusal_response


class StaffLoginForm(LoginLimitMixin, AdminAuthenticationForm):
    """The admin login with the portal's login limits."""


class StaffOTPLoginForm(LoginLimitMixin, OTPAdminAuthenticationForm):
    """The admin login with a TOTP code and the portal's login limits."""


class PortalAdminSite(OTPAdminSite):
    site_header = "電子保証ポータル 管理"
    site_title = "電子保証ポータル 管理"
    index_title = "支店業務"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    @property
    def login_form(self) -> Any:
        return StaffOTPLoginForm if settings.STAFF_REQUIRE_2FA else StaffLoginForm

    @property
    def login_template(self) -> Any:
        return OTPAdminSite.login_template if settings.STAFF_REQUIRE_2FA else None

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The login page; refused by the login limits it answers 429 or 503 (Redis unavailable)."""
        response = super().login(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        return refusal_response(context.get("form"), response)

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.STAFF_REQUIRE_2FA:
            return super().has_permission(request)
        return admin.AdminSite.has_permission(self, request)
