"""Forms of the contractors' login, password change and password reset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from . import limits
from .models import User
from .services import user_password_set


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form with limits on failed attempts per login ID and per client."""

    error_messages = {
        "invalid_login": _("ログインIDまたはパスワードが正しくありません。"),
        "inactive": _("このアカウントは利用できません。"),
        "blocked": _(
            "ログインの失敗が続いたため、このログインIDまたはこの端末からのログインを一時的に"
            "停止しています。15分ほど待ってから、もう一度お試しください。"
        ),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("ログインID")
        self.fields["password"].label = _("パスワード")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})

    def clean(self) -> dict[str, Any]:
        login_id = self.cleaned_data.get("username") or ""
        client = limits.client_address(self.request)
        if limits.login_blocked(login_id=login_id, client=client):
            raise forms.ValidationError(self.error_messages["blocked"], code="blocked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            limits.login_failure_record(login_id=login_id, client=client)
            raise
        limits.login_success_record(login_id=login_id)
        return cleaned


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = _("現在のパスワード")
        self.fields["new_password1"].label = _("新しいパスワード")
        self.fields["new_password2"].label = _("新しいパスワード（確認）")
        self.fields["new_password1"].help_text = _(
            "12文字以上で、ログインIDや会社名に似ていないもの、数字だけでないものにしてください。"
        )

    def save(self, commit: bool = True) -> User:
        user: User = self.user
        user_password_set(user=user, new_password=self.cleaned_data["new_password1"])
        return user


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The new password of a reset by e-mail."""

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("新しいパスワード")
        self.fields["new_password2"].label = _("新しいパスワード（確認）")
        self.fields["new_password1"].help_text = _(
            "12文字以上で、ログインIDや会社名に似ていないもの、数字だけでないものにしてください。"
        )

    def save(self, commit: bool = True) -> User:
        user: User = self.user
        user_password_set(user=user, new_password=self.cleaned_data["new_password1"])
        return user


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("登録メールアドレス")
