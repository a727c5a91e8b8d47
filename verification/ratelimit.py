"""Brute-force limits for verification, counted atomically in Redis, and the client's identity.

Three counters, each a fixed window that starts with its first count and ends by expiry (so every
limit cools off by itself, and refused requests do not extend it):

- failures per contract number (``VERIFICATION_FAILURES_PER_NUMBER`` per ``VERIFICATION_FAILURE_WINDOW``),
  the same for everyone;
- failures per asker: an anonymous address (``VERIFICATION_FAILURES_PER_CLIENT`` per
  ``VERIFICATION_CLIENT_WINDOW``; wrong keys, unknown numbers and malformed input), or a registered
  API client (its ``failures_per_hour``);
- successes per anonymous address (``VERIFICATION_SUCCESSES_PER_CLIENT``, a large cap, so the offices
  of a prefecture behind one address can all verify), or every call of an API client (its
  ``quota_per_hour``).

The key is compared first, and then ``settle`` runs one Lua script that, atomically for every item
of the call: refuses it when any of its limits already holds (the correct key included: the outcome
is not revealed), or else counts it (a failure on the asker and the number, or a success). Only an
allowed attempt's outcome is ever shown, so concurrent wrong guesses can never learn more outcomes
than the limit allows, and one round trip to Redis serves a whole call (100 items of a batch too).

Redis unavailable → ``LimiterUnavailable``: the caller fails closed. Without any Redis URL configured
(the embedded ``make run`` demo only; production requires REDIS_URL) the counters live in the process.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.crypto import salted_hmac

from portal.client_address import client_address
from portal.local_counters import LocalCounters
from portal.redis_client import limiter_unavailable_on_redis_error, redis_client

#: What an item turned out to be, before the limits decide whether it may be told.
SUCCESS, FAILURE, MALFORMED = 1, 0, 2
#: Which limit refused an item.
REFUSED_BY = {1: "client", 2: "number", 3: "quota"}

_SETTLE = """
local fail_limit, fail_ms = tonumber(ARGV[1]), tonumber(ARGV[2])
local ok_limit, ok_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
local num_limit, num_ms = tonumber(ARGV[5]), tonumber(ARGV[6])
local count_all = tonumber(ARGV[7])
local function held(key, limit, window)
  if tonumber(redis.call('GET', key) or '0') < limit then return nil end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then redis.call('PEXPIRE', key, window); ttl = window end
  return ttl
end
local function count(key, window)
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, window) end
end
local out = {}
for i = 8, #ARGV, 2 do
  local outcome, number = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local ttl, which = held(KEYS[1], fail_limit, fail_ms), 1
  if not ttl then ttl, which = held(KEYS[2], ok_limit, ok_ms), 3 end
  if not ttl and number > 0 then ttl, which = held(KEYS[number], num_limit, num_ms), 2 end
  if ttl then
    out[#out + 1] = 0; out[#out + 1] = ttl; out[#out + 1] = which
  else
    if outcome == 1 or count_all == 1 then count(KEYS[2], ok_ms) end
    if outcome ~= 1 then
      count(KEYS[1], fail_ms)
      if number > 0 then count(KEYS[number], num_ms) end
    end
    out[#out + 1] = 1; out[#out + 1] = 0; out[#out + 1] = 0
  end
end
return out
"""


class _HasMeta(Protocol):
    """A Django or DRF request: only its META is read."""

    @property
    def META(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds until the limit that refused cools off
    limit: str = ""  # "client", "number" or "quota" when refused


@dataclass(frozen=True)
class Client:
    """Who is asking: a keyed hash of the address (never the address itself), the user agent and,
    for a registered system, its API client (whose own limits then replace the address's)."""

    hash: str
    user_agent: str
    api_client_id: int | None = None
    quota_per_hour: int = 0
    failures_per_hour: int = 0


# --- The client's identity (the address comes from portal.client_address, one place) -------------


def client_of(request: _HasMeta, *, api_client: Any = None) -> Client:
    address = client_address(request)
    digest = salted_hmac("verification.client-address", address, algorithm="sha256").hexdigest()
    # Printable characters only: a NUL or control character must not break the audit row.
    agent = "".join(ch for ch in request.META.get("HTTP_USER_AGENT", "")[:300] if ch.isprintable())
    if api_client is None:
        return Client(hash=digest, user_agent=agent)
    return Client(
        hash=digest,
        user_agent=agent,
        api_client_id=api_client.pk,
        quota_per_hour=api_client.quota_per_hour,
        failures_per_hour=api_client.failures_per_hour,
    )


# --- The counters ---------------------------------------------------------------------------------


def _prefix() -> str:
    return settings.VERIFICATION_REDIS_PREFIX


def _number_key(contract_number: str) -> str:
    return f"{_prefix()}:fail:{contract_number}"


def _asker_keys(client: Client) -> tuple[str, str]:
    if client.api_client_id is not None:
        who = f"api:{client.api_client_id}"
        return f"{_prefix()}:{who}:fail", f"{_prefix()}:{who}:calls"
    return f"{_prefix()}:client:{client.hash}:fail", f"{_prefix()}:client:{client.hash}:ok"


def _limits(client: Client) -> list[int]:
    if client.api_client_id is not None:
        hour = 3600 * 1000
        asker = [client.failures_per_hour, hour, client.quota_per_hour, hour]
        count_all = 1
    else:
        window = settings.VERIFICATION_CLIENT_WINDOW * 1000
        asker = [
            settings.VERIFICATION_FAILURES_PER_CLIENT,
            window,
            settings.VERIFICATION_SUCCESSES_PER_CLIENT,
            window,
        ]
        count_all = 0
    return [
        *asker,
        settings.VERIFICATION_FAILURES_PER_NUMBER,
        settings.VERIFICATION_FAILURE_WINDOW * 1000,
        count_all,
    ]


@functools.cache
def _script(url: str, timeout: float) -> Any:
    return redis_client(url, timeout).register_script(_SETTLE)


def settle(*, client: Client, items: Sequence[tuple[int, str | None]]) -> list[Decision]:
    """For each (outcome, contract number or None) in order: refused while a limit holds, otherwise
    counted. One round trip for the whole sequence."""
    keys = list(_asker_keys(client))
    number_index: dict[str, int] = {}
    args: list[int] = _limits(client)
    for outcome, number in items:
        index = 0
        if number is not None and outcome != MALFORMED:
            if number not in number_index:
                keys.append(_number_key(number))
                number_index[number] = len(keys)  # Lua's KEYS are 1-based
            index = number_index[number]
        args += [outcome, index]
    url = settings.VERIFICATION_REDIS_URL
    if not url:
        flat = _LOCAL.settle(keys, args)
    else:
        with limiter_unavailable_on_redis_error():
            flat = _script(url, settings.VERIFICATION_REDIS_TIMEOUT)(keys=keys, args=args)
    return [_decision(int(flat[i]), int(flat[i + 1]), int(flat[i + 2])) for i in range(0, len(flat), 3)]


def failures_counted(*, contract_number: str) -> int:
    """The failures counted on a number in its current window (for admin and tests)."""
    return _counted(_number_key(contract_number))


def asker_counted(*, client: Client) -> tuple[int, int]:
    """(failures, successes or calls) counted on an asker in its current window."""
    failures, other = _asker_keys(client)
    return _counted(failures), _counted(other)


def _counted(key: str) -> int:
    url = settings.VERIFICATION_REDIS_URL
    if not url:
        return _LOCAL.get(key)
    with limiter_unavailable_on_redis_error():
        value = redis_client(url, settings.VERIFICATION_REDIS_TIMEOUT).get(key)
    return int(value or 0)


def _decision(allowed: int, ttl_ms: int, which: int) -> Decision:
    if allowed:
        return Decision(allowed=True)
    return Decision(
        allowed=False, retry_after=max(1, math.ceil(ttl_ms / 1000)), limit=REFUSED_BY.get(which, "")
    )


class _LocalCounters(LocalCounters):
    """The rules of the settle script, in one process."""

    def settle(self, keys: list[str], args: list[int]) -> list[int]:
        fail_limit, fail_ms, ok_limit, ok_ms, num_limit, num_ms, count_all = args[:7]
        out: list[int] = []
        with self._lock:
            now = time.monotonic()
            for i in range(7, len(args), 2):
                outcome, number = args[i], args[i + 1]
                checks = [(keys[0], fail_limit, 1), (keys[1], ok_limit, 3)]
                if number:
                    checks.append((keys[number - 1], num_limit, 2))
                refused = next(
                    ((key, which) for key, limit, which in checks if self._live(key, now)[0] >= limit), None
                )
                if refused is not None:
                    out += [0, int((self._live(refused[0], now)[1] - now) * 1000), refused[1]]
                    continue
                if outcome == SUCCESS or count_all:
                    self._count(keys[1], ok_ms, now)
                if outcome != SUCCESS:
                    self._count(keys[0], fail_ms, now)
                    if number:
                        self._count(keys[number - 1], num_ms, now)
                out += [1, 0, 0]
        return out


_LOCAL = _LocalCounters()
