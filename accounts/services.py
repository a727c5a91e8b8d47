"""Business actions on accounts."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.redis_client import LimiterUnavailable

from . import limits
from .errors import AccountError
from .models import User
from .signals import password_reset_requested

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


# --- Password reset by mail --------------------------------------------------------------------


def password_reset_request(*, address: str, client: str) -> None:
    """A request for a password reset link to ``address``, from ``client``.

    The same work whether an account has the address or not, so neither the answer nor its time
    tells which addresses exist: the request is counted (per address, per client), then one outbox
    row is queued for the address in this window (``password_reset_requested``; its worker looks the
    accounts up when it sends, and sends nothing for an address no account has). Requests for one
    address within ``PASSWORD_RESET_MAIL_WINDOW`` share that one row, hence one mail; a mail the SMTP
    server refuses for a while (421) is retried by the outbox.

    Raises ``AccountError`` "throttled" (a limit holds) or "unavailable" (the limits cannot be
    reached), each with ``retry_after``.
    """
    try:
        decision = limits.reset_request_reserve(address=address, client=client)
    except LimiterUnavailable:
        logger.error("Password reset refused: the limits' Redis is unavailable.")
        raise AccountError(
            "unavailable",
            _(
                "現在、システムの一部が応答しないため、パスワード再設定のお申し込みを受け付けられません。"
                "しばらくしてから、もう一度お試しください。"
            ),
            retry_after=60,
        ) from None
    if not decision.allowed:
        minutes = max(1, -(-decision.retry_after // 60))
        raise AccountError(
            "throttled",
            _(
                "パスワード再設定のお申し込みが続いたため、受け付けを一時的に停止しています。"
                "すでにお送りしたメールをご確認いただくか、約%(minutes)d分後にもう一度お試しください。"
            )
            % {"minutes": minutes},
            retry_after=decision.retry_after,
        )
    if not password_reset_requested.has_listeners(User):  # every reset mail would be lost
        raise ImproperlyConfigured("nothing queues the password reset mail (notifications app missing)")
    window = int(timezone.now().timestamp()) // settings.PASSWORD_RESET_MAIL_WINDOW
    with transaction.atomic(durable=True):
        password_reset_requested.send(sender=User, address=address.strip(), window=window)


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
