"""API keys and webhook signing secrets: format, generation, digest, encryption, signature.

An API key reads ``gpk_<prefix>_<secret>``: ``gpk_`` says what it is (secret scanners can find it),
the 10-character prefix is stored in clear and names the key in admin and logs, and the 40-character
secret (240 bits from the CSPRNG) is never stored. The database keeps ``SHA-256(key)``: with this much
entropy a slow password hash adds nothing, and one hash keeps every API call cheap.

The webhook signing secret (``whsec_…``) must be used by the portal to sign, so it is stored,
encrypted with AES-256-GCM under a key derived from ``KEY_ENCRYPTION_KEY`` (HKDF, its own label) and
bound to its API client's id.

A webhook is signed as ``HMAC-SHA256(secret, timestamp + "." + body)`` (hex), sent with the
timestamp in ``X-Portal-Timestamp`` and ``v1=<hex>`` in ``X-Portal-Signature``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
import secrets
import string
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_KIND = "gpk"
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
_KEY_RE = re.compile(r"^(gpk_[a-z0-9]{10})_([A-Za-z0-9_-]{40})$")
SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"


def generate_api_key() -> tuple[str, str]:
    """A new key and its visible prefix."""
    prefix = f"{KEY_KIND}_" + "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(10))
    return f"{prefix}_{secrets.token_urlsafe(30)}", prefix


def split_api_key(value: str) -> str | None:
    """The prefix of a well-formed key, or None."""
    match = _KEY_RE.match(value)
    return match.group(1) if match else None


def api_key_digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def digests_match(stored: str, candidate: str) -> bool:
    return hmac.compare_digest(stored.encode(), candidate.encode())


def generate_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


@functools.cache
def _encryption_key(master_b64: str) -> bytes:
    # cryptography loads with the first webhook secret, not with every process (authkeys.keys).
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    master = base64.urlsafe_b64decode(master_b64.encode() + b"=" * (-len(master_b64) % 4))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"apiclient-webhook-secret-v1").derive(
        master
    )


def _cipher() -> AESGCM:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(_encryption_key(settings.KEY_ENCRYPTION_KEY))


def encrypt_secret(*, client_id: int, secret: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher().encrypt(nonce, secret.encode(), str(client_id).encode())
    return base64.b64encode(b"\x01" + nonce + sealed).decode()


def decrypt_secret(*, client_id: int, ciphertext: str) -> str:
    raw = base64.b64decode(ciphertext)
    if raw[:1] != b"\x01":
        raise ValueError("unknown webhook secret ciphertext version")
    return _cipher().decrypt(raw[1:13], raw[13:], str(client_id).encode()).decode()


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()
