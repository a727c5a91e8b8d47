"""Limits on logins and on password reset requests, counted atomically in Redis.

Logins (the password step, the code step, the admin login) count failures in three fixed windows,
each starting with its first count and ending by expiry (docs/security.md, "Contractors' and staff
logins"):

- per login ID *and* client: ``LOGIN_FAILURES_PER_ID_CLIENT`` (5) per ``LOGIN_FAILURE_WINDOW``;
- per login ID from all clients together, a ceiling: ``LOGIN_FAILURES_PER_ID`` (50) per window;
- per client for all login IDs: ``LOGIN_FAILURES_PER_CLIENT`` (20) per window.

So a stranger who types wrong passwords for someone's login ID blocks that login ID from *their own*
address only; the owner, elsewhere, still gets in, until the ceiling (many addresses) is reached; and
from a browser where the login ID logged in before (a known device, accounts.devices) attempts count
on that device's own counter only, so even the ceiling does not keep the owner out of it.

An attempt *reserves* a failure on each counter before the password or code is compared, checking
and reserving in one Lua script (``login_attempt_reserve``): concurrent wrong guesses can never get
more comparisons than the limit. A right answer gives the reservation back
(``login_attempt_refund``); only a complete login (password, and the code when one is owed) clears
the login ID's counter for that client (``login_completed``), so a right password never clears the
failures of the code step.

Password reset requests are counted per address and per client (``reset_request_reserve``), every
request whether the address is known or not, so the count says nothing about which addresses exist.

Redis unavailable (down, or not answering within ``LOGIN_REDIS_TIMEOUT``) → ``LimiterUnavailable``:
the caller refuses with a page that says so (503). Without any Redis URL configured (the embedded
``make run`` demo only; production requires REDIS_URL) the counters live in the process.
"""

from __future__ import annotations

import functools
import math
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac

from portal.client_address import HasMeta
from portal.client_address import client_address as shared_client_address
from portal.local_counters import LocalCounters
from portal.redis_client import limiter_unavailable_on_redis_error, redis_client

# KEYS: the counters; ARGV: limit and window (ms) of each, in the same order. Refused (nothing
# counted) when any counter is at its limit, answering {0, ttl of that counter, its 1-based index};
# else every counter is incremented (a new one starts its window) and the answer is {1, 0, 0}.
_RESERVE = """
for i = 1, #KEYS do
  local value = tonumber(redis.call('GET', KEYS[i]) or '0')
  if value >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i]); ttl = tonumber(ARGV[2 * i]) end
    return {0, ttl, i}
  end
end
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i]) end
end
return {1, 0, 0}
"""

_REFUND = """
for i = 1, #KEYS do
  local value = tonumber(redis.call('GET', KEYS[i]) or '0')
  if value > 0 then redis.call('DECR', KEYS[i]) end
end
return 0
"""

#: Which limit refused, by the position of its counter.
LOGIN_LIMITS = ("id_client", "id", "client")
RESET_LIMITS = ("address", "client")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds until the limit that refused cools off
    limit: str = ""  # which limit refused (LOGIN_LIMITS / RESET_LIMITS)


def normalize_login_id(login_id: str) -> str:
    """Variants of one login ID (full-width, case, spaces) count together."""
    return unicodedata.normalize("NFKC", login_id).strip().casefold()


def normalize_address(address: str) -> str:
    """Variants of one mail address (full-width, case, spaces) count together."""
    return unicodedata.normalize("NFKC", address).strip().casefold()


def client_address(request: HasMeta | None) -> str:
    """The client's address, from the portal's one place for it (trusted proxy hops included)."""
    return "unknown" if request is None else shared_client_address(request)


def _key(scope: str, *values: str) -> str:
    """A counter's key: a keyed hash, so login IDs, addresses and mail addresses never sit in Redis."""
    digest = salted_hmac("accounts.limits", "\x00".join((scope, *values)), algorithm="sha256").hexdigest()
    return f"{settings.LOGIN_REDIS_PREFIX}:{scope}:{digest[:40]}"


def _login_keys(*, login_id: str, client: str, device: str | None = None) -> list[str]:
    login_id = normalize_login_id(login_id)
    if device is not None:  # a known device of the login ID (accounts.devices): its own counter only
        return [_key("id-device", login_id, device)]
    return [_key("id-client", login_id, client), _key("id", login_id), _key("client", client)]


def _login_args(*, device: str | None = None) -> list[int]:
    window = settings.LOGIN_FAILURE_WINDOW * 1000
    if device is not None:
        return [settings.LOGIN_FAILURES_PER_ID_CLIENT, window]
    return [
        settings.LOGIN_FAILURES_PER_ID_CLIENT,
        window,
        settings.LOGIN_FAILURES_PER_ID,
        window,
        settings.LOGIN_FAILURES_PER_CLIENT,
        window,
    ]


# --- Redis ---------------------------------------------------------------------------------------


@functools.cache
def _scripts(url: str, timeout: float) -> tuple[Any, Any]:
    client = redis_client(url, timeout)
    return client.register_script(_RESERVE), client.register_script(_REFUND)


def _reserve(keys: list[str], args: list[int], names: tuple[str, ...]) -> Decision:
    url = settings.LOGIN_REDIS_URL
    if not url:
        allowed, ttl_ms, which = _LOCAL.reserve(keys, args)
    else:
        script, _refund_script = _scripts(url, settings.LOGIN_REDIS_TIMEOUT)
        with limiter_unavailable_on_redis_error():
            allowed, ttl_ms, which = script(keys=keys, args=args)
    if int(allowed):
        return Decision(allowed=True)
    return Decision(
        allowed=False, retry_after=max(1, math.ceil(int(ttl_ms) / 1000)), limit=names[int(which) - 1]
    )


def _refund(keys: list[str]) -> None:
    url = settings.LOGIN_REDIS_URL
    if not url:
        _LOCAL.refund(keys)
        return
    _script, refund_script = _scripts(url, settings.LOGIN_REDIS_TIMEOUT)
    with limiter_unavailable_on_redis_error():
        refund_script(keys=keys)


def _delete(key: str) -> None:
    url = settings.LOGIN_REDIS_URL
    if not url:
        _LOCAL.delete(key)
        return
    with limiter_unavailable_on_redis_error():
        redis_client(url, settings.LOGIN_REDIS_TIMEOUT).delete(key)


def _get(key: str) -> int:
    url = settings.LOGIN_REDIS_URL
    if not url:
        return _LOCAL.get(key)
    with limiter_unavailable_on_redis_error():
        value = redis_client(url, settings.LOGIN_REDIS_TIMEOUT).get(key)
    return int(value or 0)


# --- Logins --------------------------------------------------------------------------------------


def login_attempt_reserve(*, login_id: str, client: str, device: str | None = None) -> Decision:
    """Reserve one failure for this login ID and client before the password or code is compared.

    Refused (nothing reserved) while any of the three limits holds, the right password included.
    From a known ``device`` of the login ID only that device's own counter applies.
    """
    names = ("id_device",) if device is not None else LOGIN_LIMITS
    return _reserve(
        _login_keys(login_id=login_id, client=client, device=device), _login_args(device=device), names
    )


def login_attempt_refund(*, login_id: str, client: str, device: str | None = None) -> None:
    """Give back the failure reserved for an attempt whose password or code was right."""
    _refund(_login_keys(login_id=login_id, client=client, device=device))


def login_completed(*, login_id: str, client: str, device: str | None = None) -> None:
    """A complete login (password and, when owed, the code): this client's (or device's) failures
    for the login ID are cleared. The ceiling and the client's own counter run out by themselves."""
    _delete(_login_keys(login_id=login_id, client=client, device=device)[0])


def login_failures_counted(*, login_id: str, client: str) -> dict[str, int]:
    """The failures counted in the current windows (for tests and staff)."""
    keys = _login_keys(login_id=login_id, client=client)
    return {name: _get(key) for name, key in zip(LOGIN_LIMITS, keys, strict=True)}


# --- Password reset requests ---------------------------------------------------------------------


def reset_request_reserve(*, address: str, client: str) -> Decision:
    """Count one password reset request for this mail address and from this client.

    Every request counts, whether an account has the address or not.
    """
    window = settings.PASSWORD_RESET_REQUEST_WINDOW * 1000
    keys = [_key("reset-address", normalize_address(address)), _key("reset-client", client)]
    args = [
        settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS,
        window,
        settings.PASSWORD_RESET_REQUESTS_PER_CLIENT,
        window,
    ]
    return _reserve(keys, args, RESET_LIMITS)


# --- Without Redis (the embedded demo) -----------------------------------------------------------


class _LocalCounters(LocalCounters):
    """The login and reset rules of `_reserve` and `refund`, in one process."""

    def reserve(self, keys: list[str], args: list[int]) -> tuple[int, int, int]:
        with self._lock:
            now = time.monotonic()
            for index, key in enumerate(keys):
                value, expires = self._live(key, now)
                if value >= args[2 * index]:
                    return 0, int((expires - now) * 1000), index + 1
            for index, key in enumerate(keys):
                self._count(key, args[2 * index + 1], now)
            return 1, 0, 0

    def refund(self, keys: list[str]) -> None:
        with self._lock:
            now = time.monotonic()
            for key in keys:
                value, expires = self._live(key, now)
                if value > 0:
                    self._values[key] = (value - 1, expires)


_LOCAL = _LocalCounters()
