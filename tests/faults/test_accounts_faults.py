"""Faults met by the accounts pages (login, the code step, password reset, the staff login): a real
Redis stopped or paused with SIGSTOP (the test's own redis-server), a real SMTP server answering 421.

For each fault: what the user sees (status, Japanese text), nothing lost, nothing doubled.
"""

from __future__ import annotations

import pytest

from tests.faults.own_redis import OwnRedis, own_redis_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_the_tests_own_redis_answers_then_refuses_when_stopped(own_redis: OwnRedis) -> None:
    # given the test's own server
    client = own_redis.client()
    assert client.ping()

    # when it is stopped
    own_redis.stop()

    # then connections are refused
    with pytest.raises(Exception, match=r"refused|Connection"):
        client.ping()
