"""Signed, single-purpose links in mail: 受領確認, subscription confirmation, unsubscribe.

Each token names one row and that row's random nonce, is signed with ``SECRET_KEY`` under a salt of
its own (so a receipt token is no good as an unsubscribe token) and expires after
``NOTIFICATIONS_LINK_MAX_AGE_DAYS``. No token carries a key or an address.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

RECEIPT = "notifications.receipt.v1"
SUBSCRIPTION_CONFIRM = "notifications.subscription-confirm.v1"
UNSUBSCRIBE = "notifications.unsubscribe.v1"


@dataclass(frozen=True)
class LinkClaim:
    pk: int
    nonce: str


def link_token(*, purpose: str, pk: int, nonce: str) -> str:
    return signing.dumps({"i": pk, "n": nonce}, salt=purpose, compress=True)


def read_link_token(token: str, *, purpose: str) -> LinkClaim | None:
    """What a token names, or None when it is forged, altered, of another purpose or expired."""
    max_age = settings.NOTIFICATIONS_LINK_MAX_AGE_DAYS * 24 * 60 * 60
    try:
        data = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("n"), str):
        return None
    return LinkClaim(pk=data["i"], nonce=data["n"])
