"""Reads on accounts."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


def user_totp_device(*, user: User, confirmed: bool) -> TOTPDevice | None:
    """The user's TOTP device, confirmed (two-factor is on) or still waiting for its first code."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def user_login_needs_code(*, user: User) -> bool:
    """Contractors' users with a confirmed device give a code after the password; staff are
    unaffected here (admin asks for its own code)."""
    if user.contractor_id is None:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
