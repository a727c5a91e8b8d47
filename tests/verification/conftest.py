"""Fixtures for verification: a guarantee with a known key, isolated Redis counters, clients."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.factories import issue_guarantee
from tests.verification.helpers import KEY


@pytest.fixture(autouse=True)
def _isolated_limits(settings):
    """Each test counts in its own Redis keys (real Redis, no flushing), at the production limits."""
    settings.VERIFICATION_REDIS_PREFIX = f"test-verify-{uuid.uuid4().hex}"
    settings.VERIFICATION_FAILURES_PER_NUMBER = 10
    settings.VERIFICATION_FAILURE_WINDOW = 15 * 60
    settings.VERIFICATION_FAILURES_PER_CLIENT = 100
    settings.VERIFICATION_SUCCESSES_PER_CLIENT = 5000
    settings.VERIFICATION_CLIENT_WINDOW = 10 * 60
    settings.TRUSTED_PROXY_HOPS = 0
    assert settings.VERIFICATION_REDIS_URL.startswith("redis://"), "the tests run against real Redis"


#: The day the verification tests happen on: the guarantee below is issued then and in force.
TODAY = dt.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture
def on_verification_day(time_machine):
    """The clock at ``TODAY`` (ticking, so Redis windows and sleeps behave) for the fixture and the
    test: what the tests compare with never depends on the real day."""
    time_machine.move_to(TODAY, tick=True)
    return time_machine


@pytest.fixture
def advance(on_verification_day, contractor_a):
    """contractor_a's electronic 前払金保証 concluded 2026-06-01, issued on ``TODAY``, in force
    until 2027-03-31, with the brochure's key."""
    return issue_guarantee(
        contractor=contractor_a,
        key=KEY,
        concluded_on=dt.date(2026, 6, 1),
        guarantee_period_end=dt.date(2027, 3, 31),
        construction_end_date=dt.date(2027, 3, 31),
    )


@pytest.fixture
def orderer_client():
    return Client(REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="Mozilla/5.0 (municipal clerk)")
