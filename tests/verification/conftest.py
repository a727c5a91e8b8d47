"""Fixtures for verification: a guarantee with a known key, isolated Redis counters, clients."""

from __future__ import annotations

import uuid

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


@pytest.fixture
def advance(contractor_a):
    """contractor_a's electronic 前払金保証, in force, with the brochure's key."""
    return issue_guarantee(contractor=contractor_a, key=KEY)


@pytest.fixture
def orderer_client():
    return Client(REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="Mozilla/5.0 (municipal clerk)")
