"""Fixtures of the contractors' portal tests: a clean cache (login limits) and logged-in clients."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    # Login failure counters live in Redis (this test run's own database): start each test clean.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_a(client, user_a):
    client.force_login(user_a)
    return client
