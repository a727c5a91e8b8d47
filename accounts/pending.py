"""A login waiting for its one-time code: the user's id in the session, signed and expiring.

The value is signed with a salt of its own and carries the user's session auth hash, so it cannot be
forged from another session value and a password change in between voids it.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from .models import User

SESSION_KEY = "accounts_pending_login"
SALT = "accounts.pending-login"
MAX_AGE = 5 * 60  # seconds to enter the code after the password


def pending_login_start(request: HttpRequest, *, user: User, next_url: str) -> None:
    request.session[SESSION_KEY] = signing.dumps(
        {"user": user.pk, "hash": user.get_session_auth_hash(), "next": next_url}, salt=SALT
    )


def pending_login_get(request: HttpRequest) -> tuple[User, str] | None:
    """The waiting user and where to go after the code; None when there is none or it expired."""
    value = request.session.get(SESSION_KEY)
    if not value:
        return None
    try:
        data: dict[str, Any] = signing.loads(value, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        pending_login_end(request)
        return None
    users = User._default_manager.select_related("contractor").filter(is_active=True)
    user = users.filter(pk=int(data.get("user") or 0)).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), str(data.get("hash", ""))):
        pending_login_end(request)
        return None
    return user, str(data.get("next") or "")


def pending_login_end(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
