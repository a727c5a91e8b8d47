"""Business actions on accounts."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .errors import AccountError
from .models import User

logger = logging.getLogger(__name__)


@transaction.atomic(durable=True)
def user_password_set(*, user: User, new_password: str) -> None:
    """Set a password the user chose (change or reset); the issued one no longer has to be changed.

    The password has been validated by the form (AUTH_PASSWORD_VALIDATORS) before this is called.
    """
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    logger.info("password set by its user", extra={"user_id": user.pk})


# --- Two-factor authentication (TOTP) -----------------------------------------------------------
#
# The TOTPDevice rows are the record of these changes: AuditEvent has no fitting action, and the
# audit log belongs to guarantees, above accounts. A wrong code is counted on the device
# (django-otp's throttling) and that count is kept even though nothing else changes.


def _locked_device(*, user: User, confirmed: bool) -> TOTPDevice | None:
    return (
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed=confirmed).order_by("-pk").first()
    )


def _code_check(device: TOTPDevice, code: str) -> str | None:
    """Verify ``code`` on ``device``; None when right, else the error code. Writes the device."""
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        return "code_throttled"
    return None if device.verify_token(code) else "code_wrong"


def _code_error(error: str) -> AccountError:
    if error == "code_throttled":
        return AccountError(
            error,
            _(
                "確認コードの誤りが続いたため、しばらく受け付けを停止しています。少し待ってから、もう一度お試しください。"
            ),
            field="code",
        )
    return AccountError(
        error,
        _("確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。"),
        field="code",
    )


@transaction.atomic(durable=True)
def user_totp_enrolment_start(*, user: User) -> TOTPDevice:
    """Start turning two-factor on: a new unconfirmed TOTP device (earlier unconfirmed ones go).

    The device records the start (``TOTPDevice.created_at``); see the note above on auditing.
    """
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise AccountError("already_on", _("二段階認証はすでに有効です。"))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="portal", confirmed=False)
    logger.info("two-factor enrolment started", extra={"user_id": user.pk})
    return device


def user_totp_enrolment_confirm(*, user: User, code: str) -> TOTPDevice:
    """Turn two-factor on: a right code from the authenticator confirms the unconfirmed device.

    One durable transaction; the confirmed device row is the record of the change.
    """
    with transaction.atomic(durable=True):
        device = _locked_device(user=user, confirmed=False)
        if device is None:
            raise AccountError(
                "no_enrolment", _("設定の手続きが見つかりません。最初からやり直してください。")
            )
        error = _code_check(device, code)
        if error is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            logger.info("two-factor turned on", extra={"user_id": user.pk})
            return device
    # the failed attempt's throttling is committed; the device stays unconfirmed
    raise _code_error(error)


def user_totp_disable(*, user: User, password: str, code: str) -> None:
    """Turn two-factor off, with the current password and a current code: the devices are deleted.

    One durable transaction; the absence of a confirmed device is the record of the change.
    """
    with transaction.atomic(durable=True):
        device = _locked_device(user=user, confirmed=True)
        if device is None:
            raise AccountError("already_off", _("二段階認証は有効になっていません。"))
        if not user.check_password(password):
            raise AccountError("password_wrong", _("パスワードが正しくありません。"), field="password")
        error = _code_check(device, code)
        if error is None:
            TOTPDevice.objects.filter(user=user).delete()
            logger.info("two-factor turned off", extra={"user_id": user.pk})
            return
    raise _code_error(error)


def user_login_code_check(*, user: User, code: str) -> TOTPDevice:
    """The second step of a login: the code must be right for the user's confirmed device.

    Returns the device (for ``django_otp.login``); a wrong code raises and is counted on the device.
    """
    with transaction.atomic(durable=True):
        device = _locked_device(user=user, confirmed=True)
        if device is None:
            raise AccountError(
                "already_off", _("二段階認証は有効になっていません。もう一度ログインしてください。")
            )
        error = _code_check(device, code)
        if error is None:
            return device
    raise _code_error(error)
