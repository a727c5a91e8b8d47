"""Session limits and the forced password change.

``SessionLimitsMiddleware`` ends a session after ``SESSION_IDLE_TIMEOUT`` seconds without a request
and ``SESSION_ABSOLUTE_TIMEOUT`` seconds after login, whatever the activity. The last-seen time is
written at most once per ``SESSION_TOUCH_INTERVAL`` seconds, so ordinary page views do not write
the session row on every request.

``StaffSecondFactorMiddleware`` keeps staff sessions without a verified second factor away from every
page but the logins (while ``STAFF_REQUIRE_2FA`` holds).

``PasswordChangeRequiredMiddleware`` sends a contractor's user who still has the password the company
issued (``must_change_password``) to the password change page until it is changed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

STARTED_KEY = "portal_session_started"
SEEN_KEY = "portal_session_seen"


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = timezone.now().timestamp()
        session = request.session
        started = session.get(STARTED_KEY)
        seen = session.get(SEEN_KEY)
        if started is None or seen is None:
            session[STARTED_KEY] = now
            session[SEEN_KEY] = now
            return
        idle = now - float(seen) > settings.SESSION_IDLE_TIMEOUT
        too_old = now - float(started) > settings.SESSION_ABSOLUTE_TIMEOUT
        if idle or too_old:
            logout(request)
            if idle:
                message = _("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。")
            else:
                message = _(
                    "ログインから12時間が経過したため、ログアウトしました。もう一度ログインしてください。"
                )
            messages.info(request, message)
            return
        if now - float(seen) >= settings.SESSION_TOUCH_INTERVAL:
            session[SEEN_KEY] = now


class PasswordChangeRequiredMiddleware:
    """Contractors' users with an issued password may only change it (or log out) until they do."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "must_change_password", False)
            and getattr(user, "contractor_id", None) is not None
            and not self._allowed(request.path_info)
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        allowed = (
            reverse("accounts:password_change"),
            reverse("accounts:logout"),
            reverse("certificates:manual"),
            "/" + settings.STATIC_URL.lstrip("/"),
        )
        return path.startswith(allowed)


class StaffSecondFactorMiddleware:
    """While ``STAFF_REQUIRE_2FA`` holds, a staff session without a verified second factor reaches
    nothing but the logins (the admin's, which asks for the code, and the portal's code step) and
    logout: every other page sends it to the admin's login. The logins themselves never create such
    a session (accounts.forms.LoginForm, accounts.views.login_code); this guards the rest."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.STAFF_REQUIRE_2FA
            and user.is_authenticated
            and user.is_staff
            and getattr(user, "contractor_id", None) is None
            and not user.is_verified()  # type: ignore[attr-defined]  # set by django-otp's OTPMiddleware
            and not self._allowed(request.path_info)
        ):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        allowed = (
            reverse("admin:index"),  # the admin site itself sends unverified sessions to its login
            reverse("accounts:login"),
            reverse("accounts:login_code"),
            reverse("accounts:logout"),
            "/" + settings.STATIC_URL.lstrip("/"),
        )
        return path.startswith(allowed)
