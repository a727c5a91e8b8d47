"""Forms of the contractors' login, password change and password reset."""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from portal.redis_client import LimiterUnavailable

from . import limits
from .devices import known_device
from .models import User
from .selectors import user_login_needs_code, user_login_refused_without_code
from .services import user_password_set

logger = logging.getLogger(__name__)


class LoginLimitMixin:
    """Limits on failed attempts (accounts.limits), for any of Django's login forms.

    One failure is reserved before the password is compared and given back when it was right, so
    concurrent guesses never get more comparisons than the limit. While a limit holds even the right
    password is refused (``retry_after`` says for how long); the limits lift by themselves
    (``LOGIN_FAILURE_*`` settings), so nobody is locked out for good. When the counters cannot be
    reached the attempt is refused too, with a message that says so (``limiter_unavailable``).
    """

    request: Any
    cleaned_data: dict[str, Any]
    error_messages: dict[str, Any]
    limiter_unavailable = False
    retry_after = 0
    device: str | None = None  # this browser, when it is a known device of the login ID

    def clean(self) -> dict[str, Any]:
        login_id = self.cleaned_data.get("username") or ""
        if not login_id or not self.cleaned_data.get("password"):
            # nothing is compared: the fields' own messages say what is missing
            return super().clean()  # type: ignore[misc]
        client = limits.client_address(self.request)
        self.device = known_device(self.request, login_id=login_id)
        try:
            decision = limits.login_attempt_reserve(login_id=login_id, client=client, device=self.device)
        except LimiterUnavailable:
            logger.error("Login refused: the login limits' Redis is unavailable.")
            self.limiter_unavailable = True
            self.retry_after = UNAVAILABLE_RETRY_AFTER
            raise forms.ValidationError(UNAVAILABLE_MESSAGE, code="unavailable") from None
        if not decision.allowed:
            self.retry_after = decision.retry_after
            raise forms.ValidationError(BLOCKED_MESSAGE, code="blocked")
        # a wrong password raises here and its reserved failure stays counted
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        self.login_succeeded(login_id, client)
        return cleaned

    def login_succeeded(self, login_id: str, client: str) -> None:
        """The password (and, in the admin's form, the code) was right: a complete login."""
        login_attempt_settle(login_id=login_id, client=client, device=self.device, complete=True)


def login_attempt_settle(*, login_id: str, client: str, device: str | None, complete: bool) -> None:
    """Give back a right attempt's reserved failure; a ``complete`` login also clears this client's
    (or device's) failures for the login ID. Redis failing here does not undo a right login: the
    reservation then simply runs out with its window."""
    try:
        limits.login_attempt_refund(login_id=login_id, client=client, device=device)
        if complete:
            limits.login_completed(login_id=login_id, client=client, device=device)
    except LimiterUnavailable:
        logger.warning("A right login's reserved failure could not be given back (Redis unavailable).")


def refusal_response(form: Any, response: HttpResponse) -> HttpResponse:
    """A login page refused by the limits answers 429 (a limit holds) or 503 (the counters cannot be
    reached), with Retry-After, instead of 200."""
    retry_after = getattr(form, "retry_after", 0)
    if form is None or not retry_after or not form.errors:
        return response
    response.status_code = 503 if getattr(form, "limiter_unavailable", False) else 429
    response["Retry-After"] = str(retry_after)
    return response


BLOCKED_MESSAGE = _(
    "ログインの失敗が続いたため、このログインIDまたはこの端末からのログインを一時的に"
    "停止しています。15分ほど待ってから、もう一度お試しください。"
)
UNAVAILABLE_MESSAGE = _(
    "現在、システムの一部が応答しないため、ログインを受け付けられません。"
    "パスワードは確認していません。しばらくしてから、もう一度お試しください。"
)
UNAVAILABLE_RETRY_AFTER = 60
STAFF_CODE_REQUIRED_MESSAGE = _(
    "職員のアカウントは確認コード（二段階認証）が必要です。管理画面のログインから、確認コードと"
    "一緒にログインしてください。"
)


class LoginForm(LoginLimitMixin, auth_forms.AuthenticationForm):
    """The portal's login: Django's form with the portal's login limits.

    Staff without a second factor are refused here while ``STAFF_REQUIRE_2FA`` holds: a password
    alone never gives a staff session.
    """

    error_messages = {
        "invalid_login": _("ログインIDまたはパスワードが正しくありません。"),
        "inactive": _("このアカウントは利用できません。"),
        "blocked": BLOCKED_MESSAGE,
        "staff_code_required": STAFF_CODE_REQUIRED_MESSAGE,
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("ログインID")
        self.fields["password"].label = _("パスワード")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user_login_refused_without_code(user=user):
            raise forms.ValidationError(
                self.error_messages["staff_code_required"], code="staff_code_required"
            )

    def login_succeeded(self, login_id: str, client: str) -> None:
        # With a code owed, the password is only half of the login: the failures are cleared when
        # the code is right (accounts.views.login_code), so codes cannot be guessed without end by
        # entering the password again between guesses.
        complete = not user_login_needs_code(user=self.get_user())
        login_attempt_settle(login_id=login_id, client=client, device=self.device, complete=complete)


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
