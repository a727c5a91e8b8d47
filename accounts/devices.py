"""Known devices: a browser in which a login ID logged in completely carries a signed cookie naming
that login ID and a random device id (``LOGIN_KNOWN_DEVICE_DAYS``, 180 days).

Attempts for that login ID from that browser are counted on their own counter (per login ID and
device) instead of the per-client counter and the per-login-ID ceiling, so strangers who hold the
ceiling with many addresses do not keep the owner out of the browser it always uses. The device's own
counter has the same limit as a client's, so a stolen cookie buys no more guesses than an address.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from .limits import normalize_login_id

COOKIE = "portal_device"
SALT = "accounts.known-device"


def known_device(request: HttpRequest | Any, *, login_id: str) -> str | None:
    """The device id of this browser when it is a known device of ``login_id``, else None."""
    value = getattr(request, "COOKIES", {}).get(COOKIE)
    if not value or not login_id:
        return None
    try:
        data: dict[str, Any] = signing.loads(
            value, salt=SALT, max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 24 * 60 * 60
        )
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if data.get("id") != normalize_login_id(login_id) or not isinstance(data.get("device"), str):
        return None
    return str(data["device"])


def known_device_remember(request: HttpRequest, response: HttpResponse, *, login_id: str) -> None:
    """After a complete login: this browser becomes (or stays) a known device of ``login_id``."""
    device = known_device(request, login_id=login_id) or secrets.token_urlsafe(16)
    value = signing.dumps({"id": normalize_login_id(login_id), "device": device}, salt=SALT)
    response.set_cookie(
        COOKIE,
        value,
        max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 24 * 60 * 60,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
