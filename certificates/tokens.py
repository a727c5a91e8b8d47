"""Short-lived signed tokens that let an orderer who has verified a certificate come back to it
(print, download the PDF, the receipt) without typing the 認証キー again.

The token names the certificate version, the verification and when it happened, never the key. It
is signed with ``SECRET_KEY`` (salted for this purpose) and expires after ``VERIFIED_ACCESS_MAX_AGE``
seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils import timezone

_SALT = "certificates.verified-access.v1"


@dataclass(frozen=True)
class VerifiedAccess:
    certificate_id: int
    verification_id: int | None
    verified_at: dt.datetime | None = None  # None only for tokens made before it was recorded


def verified_access_token(
    *, certificate_id: int, verification_id: int | None = None, verified_at: dt.datetime | None = None
) -> str:
    """A token for the orderer who verified ``certificate_id`` at ``verified_at`` (default: now)."""
    moment = verified_at or timezone.now()
    payload = {"c": certificate_id, "v": verification_id, "t": int(moment.timestamp())}
    return signing.dumps(payload, salt=_SALT, compress=True)


def read_verified_access_token(token: str) -> VerifiedAccess | None:
    """The access a token grants, or None when it is forged, altered or expired."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.VERIFIED_ACCESS_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        return None
    verification_id = data.get("v")
    stamp = data.get("t")
    return VerifiedAccess(
        certificate_id=data["c"],
        verification_id=verification_id if isinstance(verification_id, int) else None,
        verified_at=dt.datetime.fromtimestamp(stamp, tz=dt.UTC) if isinstance(stamp, int) else None,
    )
