"""Login (with its one-time code step), logout, password change, password reset and two-factor
set-up for the portal's users."""

from __future__ import annotations

import base64
import logging
from typing import Any, cast

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from portal.redis_client import LimiterUnavailable

from . import forms, limits
from .decorators import contractor_required
from .devices import known_device, known_device_remember
from .errors import AccountError
from .models import User
from .pending import pending_login_end, pending_login_get, pending_login_start
from .selectors import user_login_needs_code, user_totp_device
from .services import (
    password_reset_request,
    user_login_code_check,
    user_totp_disable,
    user_totp_enrolment_confirm,
    user_totp_enrolment_start,
)

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = forms.LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if user.is_staff and getattr(user, "contractor_id", None) is None:
            return reverse("admin:index")
        return super().get_default_redirect_url()

    def form_valid(self, form: forms.LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if user_login_needs_code(user=user):
            # the password was right; the session gets its user only after the code
            pending_login_start(self.request, user=user, next_url=self.get_redirect_url())
            return redirect("accounts:login_code")
        response = super().form_valid(form)
        known_device_remember(self.request, response, login_id=user.get_username())
        return response

    def form_invalid(self, form: forms.LoginForm) -> HttpResponse:  # type: ignore[override]
        return forms.refusal_response(form, super().form_invalid(form))


def _refused(
    request: HttpRequest, form: forms.CodeForm, message: Any, *, status: int, retry_after: int
) -> HttpResponse:
    form.add_error(None, message)
    response = render(request, "accounts/login_code.html", {"form": form}, status=status)
    response["Retry-After"] = str(retry_after)
    return response


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """The login's second step for users with two-factor on: the code from their authenticator.

    Like the password, a code reserves one failure on the login limits before it is compared; only a
    right code completes the login and clears this client's failures for the login ID.
    """
    pending = pending_login_get(request)
    if pending is None:
        messages.error(
            request,
            _(
                "確認コードの入力期限（5分）を過ぎたか、ログインの手続きが見つかりません。もう一度ログインしてください。"
            ),
        )
        return redirect("accounts:login")
    user, next_url = pending
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login_id = user.get_username()
        client = limits.client_address(request)
        browser = known_device(request, login_id=login_id)
        try:
            decision = limits.login_attempt_reserve(login_id=login_id, client=client, device=browser)
        except LimiterUnavailable:
            logger.error("Login code refused: the login limits' Redis is unavailable.")
            return _refused(
                request,
                form,
                forms.UNAVAILABLE_MESSAGE,
                status=503,
                retry_after=forms.UNAVAILABLE_RETRY_AFTER,
            )
        if not decision.allowed:
            return _refused(
                request, form, forms.BLOCKED_MESSAGE, status=429, retry_after=decision.retry_after
            )
        try:
            device = user_login_code_check(user=user, code=form.cleaned_data["code"])
        except AccountError as error:  # the reserved failure stays counted
            form.add_error(None, error.message)
        else:
            pending_login_end(request)
            auth_login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            django_otp.login(request, device)
            forms.login_attempt_settle(login_id=login_id, client=client, device=browser, complete=True)
            response = redirect(
                _safe_next(request, next_url, staff=user.is_staff and user.contractor_id is None)
            )
            known_device_remember(request, response, login_id=login_id)
            return response
    return render(request, "accounts/login_code.html", {"form": form})


def _safe_next(request: HttpRequest, next_url: str, *, staff: bool = False) -> str:
    allowed = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if next_url and allowed:
        return next_url
    return reverse("admin:index") if staff else resolve_url(settings.LOGIN_REDIRECT_URL)


class LogoutView(auth_views.LogoutView):
    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("ログアウトしました。"))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("certificates:list")
    title = gettext_lazy("パスワード変更")

    def form_valid(self, form: forms.PasswordChangeForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        messages.success(self.request, _("パスワードを変更しました。"))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """The address for a reset link. The answer is the same whether an account has it or not; the
    mail is queued in the outbox (accounts.services.password_reset_request) and sent by its worker."""

    template_name = "accounts/password_reset_form.html"
    form_class = forms.PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    title = gettext_lazy("パスワードの再設定")

    def form_valid(self, form: forms.PasswordResetForm) -> HttpResponse:  # type: ignore[override]
        try:
            password_reset_request(
                address=form.cleaned_data["email"], client=limits.client_address(self.request)
            )
        except AccountError as error:  # a limit holds, or the limits cannot be reached
            form.add_error(None, error.message)
            response = self.form_invalid(form)
            response.status_code = 503 if error.code == "unavailable" else 429
            response["Retry-After"] = str(error.retry_after)
            return response
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    title = gettext_lazy("パスワードの再設定")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    title = gettext_lazy("新しいパスワードの設定")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    title = gettext_lazy("パスワードの再設定")


def _qr_svg(url: str) -> str:
    """The authenticator's set-up URL as an SVG QR code (markup, no style attributes or scripts)."""
    import qrcode  # imported where used: it costs every process start otherwise
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return image.to_string(encoding="unicode")


@sensitive_post_parameters("password", "code")
@never_cache
@contractor_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Whether two-factor is on; turning it on (QR code, secret, first code) and off."""
    user = cast(User, request.user)  # contractor_required: a logged-in contractor's user
    action = request.POST.get("action") if request.method == "POST" else None
    confirm_form = forms.CodeForm(request.POST if action == "confirm" else None)
    disable_form = forms.TwoFactorDisableForm(request.POST if action == "disable" else None)
    try:
        if action == "start":
            try:
                user_totp_enrolment_start(user=user)
            except AccountError as error:  # already on (a second tab): say so on the page
                messages.error(request, error.message)
            return redirect("accounts:two_factor")
        if action == "confirm" and confirm_form.is_valid():
            user_totp_enrolment_confirm(user=user, code=confirm_form.cleaned_data["code"])
            messages.success(
                request, _("二段階認証を有効にしました。次回のログインから確認コードが必要です。")
            )
            return redirect("accounts:two_factor")
        if action == "disable" and disable_form.is_valid():
            user_totp_disable(
                user=user,
                password=disable_form.cleaned_data["password"],
                code=disable_form.cleaned_data["code"],
            )
            messages.success(request, _("二段階認証を無効にしました。"))
            return redirect("accounts:two_factor")
    except AccountError as error:
        form = disable_form if action == "disable" else confirm_form
        if error.field in form.fields and error.field not in form.errors:
            form.add_error(error.field, error.message)
        else:
            form.add_error(None, error.message)
    confirmed = user_totp_device(user=user, confirmed=True)
    pending = None if confirmed else user_totp_device(user=user, confirmed=False)
    context = {
        "enabled": confirmed is not None,
        "pending": pending is not None,
        "confirm_form": confirm_form,
        "disable_form": disable_form,
    }
    if pending is not None:
        secret = base64.b32encode(pending.bin_key).decode()
        context["qr_svg"] = mark_safe(_qr_svg(pending.config_url))  # noqa: S308 - generated, not input
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/two_factor.html", context)
