"""Reads around authentication keys."""

from __future__ import annotations

from guarantees.models import Guarantee

from . import keys
from .models import AuthKey

# A digest to compare against when the number is unknown, so both paths do the same work.
_NO_SUCH_DIGEST = "0" * 64


def guarantee_matching_key(*, contract_number: str, key: str) -> Guarantee | None:
    """The guarantee whose live key is ``key``, or None. Inputs must already be normalised.

    One query either way, and one HMAC and one constant-time comparison either way, so an unknown
    number and a wrong key cost the same.
    """
    candidate = keys.key_digest(contract_number=contract_number, key=key)
    auth_key = (
        AuthKey.objects.select_related("guarantee")
        .filter(guarantee__number=contract_number, revoked_at__isnull=True)
        .first()
    )
    stored = auth_key.digest if auth_key is not None else _NO_SUCH_DIGEST
    if keys.digests_match(stored, candidate) and auth_key is not None:
        return auth_key.guarantee
    return None
