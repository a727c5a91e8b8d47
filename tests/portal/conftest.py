"""Fixtures of the contractors' portal tests: logged-in clients."""

from __future__ import annotations

import pytest


@pytest.fixture
def client_a(client, user_a):
    client.force_login(user_a)
    return client
