"""Anonymous limits that fit a prefecture's offices behind one address (自治体情報セキュリティクラウド).

Failures are limited per address, successes have a large cap of their own, and the per-number
failure limit stays: an attacker behind the same address gains nothing from the offices' successes.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.apiclients.conftest import current_guarantee
from tests.verification.helpers import KEY, OTHER_KEY, api_verify, page_verify
from verification import ratelimit
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db

SHARED = "192.0.2.200"  # the prefecture's security cloud: every office's requests come from here


def _office(n: int) -> Client:
    return Client(REMOTE_ADDR=SHARED, HTTP_USER_AGENT=f"Mozilla/5.0 (office {n})")


def test_two_hundred_offices_behind_one_address_each_verify_five_certificates(settings):
    # given 100 electronic guarantees of the prefecture's works (each office verifies 5 different
    # ones among them, 1,000 verifications in all) and an attacker at the same address
    # (the attacker's target is another guarantee: a number under attack is locked for everyone,
    # docs/security.md)
    guarantees = [current_guarantee() for _ in range(100)]
    target = current_guarantee()
    attacker = Client(REMOTE_ADDR=SHARED, HTTP_USER_AGENT="curl/8")
    statuses: list[int] = []
    guesses: list[int] = []
    # when, within one 10-minute window, every office verifies its five (page and API alike) while
    # the attacker keeps guessing keys for one of those numbers
    for office in range(200):
        client = _office(office)
        for k in range(5):
            guarantee = guarantees[(office * 5 + k) % 100]
            verify = page_verify if (office + k) % 2 else api_verify
            statuses.append(verify(client, guarantee.number, KEY).status_code)
        guesses.append(api_verify(attacker, target.number, OTHER_KEY).status_code)
    # then all 1,000 succeeded
    assert statuses.count(303) + statuses.count(200) == 1000
    assert VerificationAttempt.objects.filter(outcome="success").count() == 1000
    # and the attacker had 10 wrong keys evaluated on that number, every other guess refused
    assert guesses.count(404) == 10
    assert guesses.count(429) == 190
    assert ratelimit.failures_counted(contract_number=target.number) == 10
    assert VerificationAttempt.objects.filter(outcome="failure").count() == 10


def test_an_attacker_behind_the_shared_address_gets_a_bounded_number_of_failures(settings):
    # given the production limits: 10 failures per number per 15 minutes, 100 per address per 10
    assert (settings.VERIFICATION_FAILURES_PER_NUMBER, settings.VERIFICATION_FAILURE_WINDOW) == (10, 15 * 60)
    assert (settings.VERIFICATION_FAILURES_PER_CLIENT, settings.VERIFICATION_CLIENT_WINDOW) == (100, 10 * 60)
    attacker = Client(REMOTE_ADDR=SHARED)
    # when the attacker sprays 600 guesses over 30 numbers (20 per number)
    outcomes: dict[str, list[int]] = {}
    for attempt in range(600):
        number = f"10700{attempt % 30:05d}"
        outcomes.setdefault(number, []).append(api_verify(attacker, number, OTHER_KEY).status_code)
    # then at most 10 per number were evaluated, 100 in all from the address, the rest refused
    evaluated = {number: codes.count(404) for number, codes in outcomes.items()}
    assert max(evaluated.values()) <= 10
    assert sum(evaluated.values()) == 100
    assert sum(codes.count(429) for codes in outcomes.values()) == 500
    assert VerificationAttempt.objects.filter(outcome="failure").count() == 100
    # and every attempt, refused or not, was recorded
    assert VerificationAttempt.objects.count() == 600
