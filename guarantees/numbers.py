"""The 保証契約番号 as people type it: 10 digits, perhaps full-width, perhaps with spaces, hyphens or
the dashes an IME produces between groups (``１０７-０００-０４７３``). Every screen, the API, the
verification page and the URLs (config.converters) normalise with ``normalize_contract_number`` and
check with ``is_well_formed_contract_number``; ``normalize_typed`` is the same forgiveness for the
other codes people type (the 認証キー, authkeys.keys).
"""

from __future__ import annotations

import re
import unicodedata

#: Branch code 3 + kind 2 + serial 5 (guarantees.services.guarantee_number_allocate).
CONTRACT_NUMBER_LENGTH = 10

_NUMBER_RE = re.compile(rf"^\d{{{CONTRACT_NUMBER_LENGTH}}}$")
# Characters people type between groups: spaces, hyphens and the dashes an IME produces.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ーｰ|｜]")


def normalize_typed(value: str, *, upper: bool = False) -> str:
    """NFKC (full-width → ASCII), upper case when asked, spaces, hyphens and ``|`` removed."""
    # Removing a separator can bring combining marks together that NFKC then reorders, so repeat
    # until nothing changes (twice at most for real input); this keeps normalising idempotent.
    for _ in range(4):
        text = unicodedata.normalize("NFKC", value)
        if upper:
            text = unicodedata.normalize("NFKC", text.upper())
        text = _SEPARATORS.sub("", text)
        if text == value:
            break
        value = text
    return value


def normalize_contract_number(value: str) -> str:
    """NFKC (full-width digits → ASCII), spaces, hyphens and ``|`` removed. Does not validate."""
    return normalize_typed(value)


def is_well_formed_contract_number(value: str) -> bool:
    """Exactly 10 ASCII digits (after ``normalize_contract_number``)."""
    return bool(_NUMBER_RE.match(value)) and value.isascii()
