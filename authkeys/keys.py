"""The authentication key (認証キー): alphabet, generation, normalising, digest and encryption.

A key is 12 characters from the brochure's alphabet (A–Z, 0–9, ``+``, ``_``) without the look-alikes
0/O and 1/I: 34 symbols, so 12 characters carry 12·log2(34) ≈ 61 bits (docs/security.md).

Two sub-keys are derived from ``settings.KEY_ENCRYPTION_KEY`` with HKDF:
- a digest key: ``HMAC-SHA256(digest_key, contract_number ":" key)`` is stored and compared in
  constant time to verify a key without decrypting anything;
- an encryption key: AES-256-GCM of the key with the contract number as associated data, so the
  contractor can display the key again (the brochure's 表示 button) and a ciphertext copied onto
  another contract does not decrypt.

cryptography (HKDF, AES-GCM) loads on the first key derived or sealed, not with the module: every
process imports this module at start-up through the admin, most never touch a key (≈20 ms,
docs/benchmarks.md); web workers load it before their first request with the PDF signer.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from guarantees.numbers import normalize_typed

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_LENGTH = 12
ALPHABET = "".join(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+_" if c not in "0O1I")
assert len(ALPHABET) == 34  # noqa: S101 - a module invariant, checked at import

_KEY_RE = re.compile(rf"^[{re.escape(ALPHABET)}]{{{KEY_LENGTH}}}$")
_CIPHER_VERSION = b"\x01"


def generate_key() -> str:
    """A new random key from the CSPRNG."""
    return "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))


def generate_keys(count: int) -> list[str]:
    """``count`` new random keys from the CSPRNG at once (bulk generation): the same alphabet and
    uniform distribution as ``generate_key``, drawing bytes in blocks and rejecting those at or
    above the largest multiple of 34 below 256."""
    limit = 256 - 256 % len(ALPHABET)
    symbols: list[str] = []
    wanted = count * KEY_LENGTH
    while len(symbols) < wanted:
        symbols.extend(ALPHABET[byte % len(ALPHABET)] for byte in secrets.token_bytes(wanted) if byte < limit)
    return ["".join(symbols[i : i + KEY_LENGTH]) for i in range(0, wanted, KEY_LENGTH)]


def normalize_key(value: str) -> str:
    """NFKC (full-width → ASCII), upper case, spaces and hyphens removed. Does not validate."""
    return normalize_typed(value, upper=True)


def is_well_formed_key(value: str) -> bool:
    return bool(_KEY_RE.match(value))


@functools.cache
def _subkeys(master_b64: str) -> tuple[bytes, bytes]:
    try:
        master = base64.urlsafe_b64decode(master_b64.encode() + b"=" * (-len(master_b64) % 4))
    except ValueError as exc:
        raise ImproperlyConfigured("KEY_ENCRYPTION_KEY must be base64url of 32 random bytes.") from exc
    if len(master) != 32:
        raise ImproperlyConfigured("KEY_ENCRYPTION_KEY must be base64url of 32 random bytes.")

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    def derive(label: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master)

    return derive(b"authkey-digest-v1"), derive(b"authkey-encryption-v1")


def _digest_key() -> bytes:
    return _subkeys(settings.KEY_ENCRYPTION_KEY)[0]


def _encryption_key() -> bytes:
    return _subkeys(settings.KEY_ENCRYPTION_KEY)[1]


def _cipher() -> AESGCM:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(_encryption_key())


def key_digest(*, contract_number: str, key: str) -> str:
    """The keyed digest stored for verification (hex)."""
    message = f"{contract_number}:{key}".encode()
    return hmac.new(_digest_key(), message, hashlib.sha256).hexdigest()


def digests_match(stored: str, candidate: str) -> bool:
    return hmac.compare_digest(stored.encode(), candidate.encode())


def encrypt_key(*, contract_number: str, key: str) -> str:
    """AES-GCM ciphertext of the key, bound to the contract number; base64 text for storage."""
    nonce = os.urandom(12)
    sealed = _cipher().encrypt(nonce, key.encode(), contract_number.encode())
    return base64.b64encode(_CIPHER_VERSION + nonce + sealed).decode()


def seal_keys(*, contract_numbers: list[str], keys: list[str]) -> list[tuple[str, str]]:
    """``(key_digest, encrypt_key)`` of many keys at once, with one cipher object (bulk
    generation); the same values as the two functions give one by one."""
    digest_key = _digest_key()
    aead = _cipher()
    sealed = []
    for contract_number, key in zip(contract_numbers, keys, strict=True):
        digest = hmac.new(digest_key, f"{contract_number}:{key}".encode(), hashlib.sha256).hexdigest()
        nonce = os.urandom(12)
        box = aead.encrypt(nonce, key.encode(), contract_number.encode())
        sealed.append((digest, base64.b64encode(_CIPHER_VERSION + nonce + box).decode()))
    return sealed


def decrypt_key(*, contract_number: str, ciphertext: str) -> str:
    raw = base64.b64decode(ciphertext)
    if raw[:1] != _CIPHER_VERSION:
        raise ValueError("unknown auth key ciphertext version")
    nonce, sealed = raw[1:13], raw[13:]
    return _cipher().decrypt(nonce, sealed, contract_number.encode()).decode()
