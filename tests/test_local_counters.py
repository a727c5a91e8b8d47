"""The embedded demo (`make run`, no Redis) limits logins and verifications exactly as Redis does."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from accounts import limits
from verification import ratelimit

BACKENDS = ["redis", "in-process"]


def _urls(backend: str) -> dict[str, str]:
    if backend == "redis":
        return {"LOGIN_REDIS_URL": settings.REDIS_URL, "VERIFICATION_REDIS_URL": settings.REDIS_URL}
    return {"LOGIN_REDIS_URL": "", "VERIFICATION_REDIS_URL": ""}


def _login_story() -> list[object]:
    """Seven wrong passwords from one client, a right one while refused, then the counters."""
    login_id, client = f"id-{uuid.uuid4().hex[:8]}", "192.0.2.10"
    seen: list[object] = []
    for _ in range(settings.LOGIN_FAILURES_PER_ID_CLIENT + 2):
        decision = limits.login_attempt_reserve(login_id=login_id, client=client)
        seen.append((decision.allowed, decision.limit, decision.retry_after > 0))
    seen.append(limits.login_failures_counted(login_id=login_id, client=client))
    other = limits.login_attempt_reserve(login_id=login_id, client="192.0.2.99")
    seen.append(other.allowed)
    limits.login_attempt_refund(login_id=login_id, client="192.0.2.99")
    seen.append(limits.login_failures_counted(login_id=login_id, client="192.0.2.99"))
    limits.login_completed(login_id=login_id, client=client)
    seen.append(limits.login_attempt_reserve(login_id=login_id, client=client).allowed)
    return seen


def _verification_story() -> list[object]:
    """Twelve wrong keys on one number, a success on another, from one address."""
    client = ratelimit.Client(hash=uuid.uuid4().hex, user_agent="test")
    number, other = f"9{uuid.uuid4().int % 10**9:09d}", f"8{uuid.uuid4().int % 10**9:09d}"
    wrong = [(ratelimit.FAILURE, number)] * (settings.VERIFICATION_FAILURES_PER_NUMBER + 2)
    decisions = ratelimit.settle(client=client, items=[*wrong, (ratelimit.SUCCESS, other)])
    return [
        [(d.allowed, d.limit) for d in decisions],
        ratelimit.failures_counted(contract_number=number),
        ratelimit.asker_counted(client=client),
    ]


@pytest.mark.parametrize("story", [_login_story, _verification_story])
def test_the_in_process_counters_decide_as_the_redis_scripts_do(story):
    # given the same story told to Redis and to the in-process stand-in
    results = {}
    for backend in BACKENDS:
        with override_settings(**_urls(backend)):
            # when it is told
            results[backend] = story()
    # then both decide alike, and the limits did refuse something
    assert results["in-process"] == results["redis"]
    assert any(
        item is False or (isinstance(item, tuple) and item[0] is False) for item in _flatten(results["redis"])
    )


def _flatten(items: list[object]) -> list[object]:
    out: list[object] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out
