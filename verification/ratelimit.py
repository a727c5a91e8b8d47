"""Brute-force limits for verification, counted atomically in Redis, and the client's identity.

Two counters, each a fixed window that starts with its first count and ends by expiry (so every
limit cools off by itself, and refused requests do not extend it):

- failures per contract number (``VERIFICATION_FAILURES_PER_NUMBER`` per ``VERIFICATION_FAILURE_WINDOW``);
- attempts per client (``VERIFICATION_REQUESTS_PER_CLIENT`` per ``VERIFICATION_CLIENT_WINDOW``).

An attempt *reserves* a failure before the key is compared and gives it back when the key matched
(``refund``). Checking and reserving happen in one Lua script, so concurrent wrong guesses can never
get more comparisons than the limit allows. While either limit holds, every attempt is refused, the
correct key included.

Redis unavailable → ``LimiterUnavailable``: the caller fails closed. Without any Redis URL configured
(the embedded ``make run`` demo only; production requires REDIS_URL) the counters live in the process.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from django.conf import settings
from django.utils.crypto import salted_hmac

from config.client_address import client_address

_ACQUIRE = """
local client = tonumber(redis.call('GET', KEYS[1]) or '0')
if client >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
  return {0, ttl, 1}
end
if #KEYS > 1 then
  local failures = tonumber(redis.call('GET', KEYS[2]) or '0')
  if failures >= tonumber(ARGV[3]) then
    local ttl = redis.call('PTTL', KEYS[2])
    if ttl < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[4]); ttl = tonumber(ARGV[4]) end
    return {0, ttl, 2}
  end
end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if #KEYS > 1 then
  if redis.call('INCR', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
end
return {1, 0, 0}
"""

_REFUND = """
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
if failures > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


class _HasMeta(Protocol):
    """A Django or DRF request: only its META is read."""

    @property
    def META(self) -> Mapping[str, Any]: ...


class LimiterUnavailable(Exception):
    """The counters cannot be read or written: verification must be refused."""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds until the limit that refused cools off
    limit: str = ""  # "client" or "number" when refused


@dataclass(frozen=True)
class Client:
    """Who is asking: a keyed hash of the address (never the address itself) and the user agent."""

    hash: str
    user_agent: str


# --- The client's identity (the address comes from config.client_address, one place) -------------


def client_of(request: _HasMeta) -> Client:
    address = client_address(request)
    digest = salted_hmac("verification.client-address", address, algorithm="sha256").hexdigest()
    # Printable characters only: a NUL or control character must not break the audit row.
    agent = "".join(ch for ch in request.META.get("HTTP_USER_AGENT", "")[:300] if ch.isprintable())
    return Client(hash=digest, user_agent=agent)


# --- The counters ---------------------------------------------------------------------------------


def _client_key(client_hash: str) -> str:
    return f"{settings.VERIFICATION_REDIS_PREFIX}:client:{client_hash}"


def _number_key(contract_number: str) -> str:
    return f"{settings.VERIFICATION_REDIS_PREFIX}:fail:{contract_number}"


@functools.cache
def _redis(url: str, timeout: float) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, health_check_interval=30
    )


@functools.cache
def _scripts(url: str, timeout: float) -> tuple[object, object]:
    client = _redis(url, timeout)
    return client.register_script(_ACQUIRE), client.register_script(_REFUND)


def acquire(*, client_hash: str, contract_number: str | None) -> Decision:
    """Count one attempt of this client and, when the number is well-formed, reserve one failure on
    it. Refused (nothing counted) while either limit holds."""
    keys = [_client_key(client_hash)]
    if contract_number is not None:
        keys.append(_number_key(contract_number))
    args = [
        settings.VERIFICATION_REQUESTS_PER_CLIENT,
        settings.VERIFICATION_CLIENT_WINDOW * 1000,
        settings.VERIFICATION_FAILURES_PER_NUMBER,
        settings.VERIFICATION_FAILURE_WINDOW * 1000,
    ]
    url = settings.VERIFICATION_REDIS_URL
    if not url:
        return _LOCAL.acquire(keys, args)
    script, _refund_script = _scripts(url, settings.VERIFICATION_REDIS_TIMEOUT)
    try:
        allowed, ttl_ms, which = script(keys=keys, args=args)  # type: ignore[operator]
    except redis.RedisError as exc:
        raise LimiterUnavailable(str(exc)) from exc
    return _decision(int(allowed), int(ttl_ms), int(which))


def refund(*, contract_number: str) -> None:
    """Give back the failure reserved for an attempt whose key matched."""
    url = settings.VERIFICATION_REDIS_URL
    if not url:
        _LOCAL.refund(_number_key(contract_number))
        return
    _script, refund_script = _scripts(url, settings.VERIFICATION_REDIS_TIMEOUT)
    try:
        refund_script(keys=[_number_key(contract_number)])  # type: ignore[operator]
    except redis.RedisError as exc:
        raise LimiterUnavailable(str(exc)) from exc


def failures_counted(*, contract_number: str) -> int:
    """The failures counted on a number in its current window (for admin and tests)."""
    url = settings.VERIFICATION_REDIS_URL
    if not url:
        return _LOCAL.get(_number_key(contract_number))
    try:
        value = _redis(url, settings.VERIFICATION_REDIS_TIMEOUT).get(_number_key(contract_number))
    except redis.RedisError as exc:
        raise LimiterUnavailable(str(exc)) from exc
    return int(value or 0)


def _decision(allowed: int, ttl_ms: int, which: int) -> Decision:
    if allowed:
        return Decision(allowed=True)
    return Decision(
        allowed=False,
        retry_after=max(1, math.ceil(ttl_ms / 1000)),
        limit={1: "client", 2: "number"}.get(which, ""),
    )


class _LocalCounters:
    """The same rules in one process, for the embedded demo that runs without Redis."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[int, float]] = {}

    def _live(self, key: str, now: float) -> tuple[int, float]:
        value, expires = self._values.get(key, (0, 0.0))
        return (value, expires) if expires > now else (0, 0.0)

    def get(self, key: str) -> int:
        with self._lock:
            return self._live(key, time.monotonic())[0]

    def acquire(self, keys: list[str], args: list[int]) -> Decision:
        client_limit, client_ms, failure_limit, failure_ms = args
        limits = [(client_limit, client_ms, 1), (failure_limit, failure_ms, 2)]
        with self._lock:
            now = time.monotonic()
            for key, (limit, _window, which) in zip(keys, limits, strict=False):
                value, expires = self._live(key, now)
                if value >= limit:
                    return _decision(0, int((expires - now) * 1000), which)
            for key, (_limit, window, _which) in zip(keys, limits, strict=False):
                value, expires = self._live(key, now)
                self._values[key] = (value + 1, expires if value else now + window / 1000)
            return Decision(allowed=True)

    def refund(self, key: str) -> None:
        with self._lock:
            value, expires = self._live(key, time.monotonic())
            if value > 0:
                self._values[key] = (value - 1, expires)


_LOCAL = _LocalCounters()
