"""The client's network address: one place for the whole portal (login limits, verification limits,
audit hashes), trusting exactly ``TRUSTED_PROXY_HOPS`` reverse proxies.

Each trusted proxy appends the address it received the request from to X-Forwarded-For, so the
client is the entry that many places from the right. Anything further left was written by the
client and is ignored (a forged X-Forwarded-For buys no new attempts); with fewer entries than hops
the header cannot be trusted at all. An IPv6 client is its /64 (one subscriber's network), so
rotating addresses buys nothing either.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Protocol

from django.conf import settings


class HasMeta(Protocol):
    @property
    def META(self) -> Any: ...


def client_address(request: HasMeta) -> str:
    hops = settings.TRUSTED_PROXY_HOPS
    candidate = request.META.get("REMOTE_ADDR", "") or ""
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    return canonical_address(candidate)


def canonical_address(value: str) -> str:
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return value.strip()[:100] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)
