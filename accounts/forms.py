"""Forms of the contractors' login, password change and password reset."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from . import limits
from .models import User
from .selectors import user_login_needs_code
from .services import user_password_set


class LoginLimitMixin:
    """Limits on failed attempts per login ID and per client, for any of Django's login forms.

    While a limit holds even the right password is refused; the limits lift by themselves
    (``LOGIN_FAILURE_*`` settings), so nobody is locked out for good.
    """

    request: Any
    cleaned_data: dict[str, Any]
    error_messages: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        login_id = self.cleaned_data.get("username") or ""
        client = limits.client_address(self.request)
        if limits.login_blocked(login_id=login_id, client=client):
            raise forms.ValidationError(BLOCKED_MESSAGE, code="blocked")
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            limits.login_failure_record(login_id=login_id, client=client)
            raise
        self.login_succeeded(login_id)
        return cleaned

    def login_succeeded(self, login_id: str) -> None:
        limits.login_success_record(login_id=login_id)


BLOCKED_MESSAGE = _(
    "ログインの失敗が続いたため、このログインIDまたはこの端末からのログインを一時的に"
    "停止しています。15分ほど待ってから、もう一度お試しください。"
)


class LoginForm(LoginLimitMixin, auth_forms.AuthenticationForm):
    """The contractors' login: Django's form with the portal's login limits."""

    error_messages = {
        "invalid_login": _("ログインIDまたはパスワードが正しくありません。"),
        "inactive": _("このアカウントは利用できません。"),
        "blocked": BLOCKED_MESSAGE,
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("ログインID")
        self.fields["password"].label = _("パスワード")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})

    def login_succeeded(self, login_id: str) -> None:
        # With two-factor on, the password is only half of the login: the login ID's failures are
        # cleared when the code is right (accounts.views.login_code), so codes cannot be guessed
        # without end by entering the password again between guesses.
        if not user_login_needs_code(user=self.get_user()):
            super().login_succeeded(login_id)


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


class PasswordChangeForm(auth_forms.PasswordChangeForm, SetPasswordForm):
    """The new password, as in SetPasswordForm, after the current one."""

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = _("現在のパスワード")


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("登録メールアドレス")


def normalize_code(value: str) -> str:
    """A one-time code as typed: full-width digits, spaces and hyphens are normalised away."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or ""))


class CodeField(forms.CharField):
    """Six digits from the authenticator app."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("確認コード（6桁）"))
        kwargs.setdefault(
            "error_messages", {"required": _("認証アプリに表示されている6桁の確認コードを入力してください。")}
        )
        super().__init__(max_length=40, **kwargs)
        self.widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "numeric"})

    def clean(self, value: Any) -> str:
        code = normalize_code(super().clean(value))
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(_("確認コードは6桁の数字で入力してください。"), code="format")
        return code


class CodeForm(forms.Form):
    """The code of the login's second step, or of turning two-factor on."""

    code = CodeField()


class TwoFactorDisableForm(forms.Form):
    password = forms.CharField(
        label=_("現在のパスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("現在のパスワードを入力してください。")},
    )
    code = CodeField()
