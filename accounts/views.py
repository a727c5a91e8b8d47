"""Login, logout, password change and password reset for the portal's users."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import forms


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = forms.LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if user.is_staff and getattr(user, "contractor_id", None) is None:
            return reverse("admin:index")
        return super().get_default_redirect_url()


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
    template_name = "accounts/password_reset_form.html"
    form_class = forms.PasswordResetForm
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    title = gettext_lazy("パスワードの再設定")


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
