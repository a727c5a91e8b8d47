"""Reads on accounts."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


def user_totp_device(*, user: User, confirmed: bool) -> TOTPDevice | None:
    """The user's TOTP device, confirmed (two-factor is on) or still waiting for its first code."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def user_login_needs_code(*, user: User) -> bool:
    """Whether the password is only the first step of this user's login at /accounts/login/: users
    with a confirmed TOTP device (contractors who turned two-factor on, staff with the admin's
    device) give its code next."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def user_login_refused_without_code(*, user: User) -> bool:
    """Staff without a confirmed device cannot log in at /accounts/login/ while ``STAFF_REQUIRE_2FA``
    holds: a password alone never gives a staff session (the admin's login asks for the code)."""
    if user.contractor_id is not None or not user.is_staff or not settings.STAFF_REQUIRE_2FA:
        return False
    return not user_login_needs_code(user=user)
