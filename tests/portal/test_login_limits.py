"""The login limits under real concurrency: threads against the real Redis and PostgreSQL, with a real
password hasher slow enough for the attempts to overlap. Exactly the limit is compared, never more."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any, ClassVar

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.test import Client

from accounts import limits
from accounts.models import User

PASSWORD = "correct horse battery staple"


class CountingSlowHasher(PBKDF2PasswordHasher):
    """PBKDF2 with enough iterations (tens of milliseconds) for concurrent logins to overlap; counts
    the passwords it verifies."""

    algorithm = "pbkdf2_sha256_counting"
    iterations = 300_000
    verified: ClassVar[int] = 0
    lock: ClassVar[threading.Lock] = threading.Lock()

    def verify(self, password: str, encoded: str) -> bool:
        with self.lock:
            CountingSlowHasher.verified += 1
        return super().verify(password, encoded)


@pytest.fixture
def slow_hasher(settings: Any) -> type[CountingSlowHasher]:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingSlowHasher"]
    CountingSlowHasher.verified = 0
    return CountingSlowHasher


def _concurrent_wrong_logins(count: int, address_of: Any) -> Counter[int]:
    """``count`` wrong passwords for one login ID at once (a barrier releases them together)."""
    barrier = threading.Barrier(count)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def attempt(n: int) -> None:
        try:
            browser = Client()
            barrier.wait(timeout=60)
            response = browser.post(
                "/accounts/login/",
                {"username": "alpha", "password": f"wrong {n}"},
                REMOTE_ADDR=address_of(n),
            )
            with lock:
                statuses[response.status_code] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_wrong_passwords_from_one_client_get_exactly_five_compared(
    slow_hasher: type[CountingSlowHasher], contractor_a: Any, settings: Any
) -> None:
    # given a login ID whose password is hashed with the slow hasher, and the limit of five
    settings.LOGIN_FAILURES_PER_ID_CLIENT = 5
    User.objects.create_user(username="alpha", password=PASSWORD, contractor=contractor_a)
    slow_hasher.verified = 0

    # when fifty wrong passwords come at once from one client
    statuses = _concurrent_wrong_logins(50, lambda n: "192.0.2.1")

    # then exactly five were compared; the other 45 were refused before any hashing
    assert slow_hasher.verified == 5
    assert statuses == Counter({200: 5, 429: 45})
    counted = limits.login_failures_counted(login_id="alpha", client="192.0.2.1")
    assert counted == {"id_client": 5, "id": 5, "client": 5}


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_wrong_passwords_from_fifty_clients_get_exactly_the_ceiling_compared(
    slow_hasher: type[CountingSlowHasher], contractor_a: Any, settings: Any
) -> None:
    # given a ceiling of ten failures per login ID from all clients together
    settings.LOGIN_FAILURES_PER_ID = 10
    User.objects.create_user(username="alpha", password=PASSWORD, contractor=contractor_a)
    slow_hasher.verified = 0

    # when fifty wrong passwords come at once, each from its own address
    statuses = _concurrent_wrong_logins(50, lambda n: f"198.51.100.{n + 1}")

    # then exactly ten were compared
    assert slow_hasher.verified == 10
    assert statuses == Counter({200: 10, 429: 40})
