"""POST /api/v1/verifications/batch: up to 100 pairs, each answered exactly as a single call."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.apiclients.conftest import current_guarantee, registered_system
from tests.apiclients.helpers import batch, verify
from tests.verification.helpers import KEY, OTHER_KEY, UNKNOWN_NUMBER
from verification import ratelimit
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db


def test_each_result_has_the_status_and_body_of_the_single_call(http, system, advance, settings):
    # given the same five pairs, asked one by one by one system and in one batch by another
    pairs = [
        (advance.number, KEY),
        (advance.number, OTHER_KEY),
        (UNKNOWN_NUMBER, KEY),
        ("１０７-" + advance.number[3:], KEY.lower()),
        ("12", KEY),
        ("x" * 65, KEY),
    ]
    singles = [verify(http, number, key, **system.auth) for number, key in pairs]
    other = registered_system()
    response = batch(http, pairs, **other.auth)
    # then each item is what the single call answered
    assert response.status_code == 200
    results = response.json()["results"]
    assert (
        [r["status"] for r in results] == [s.status_code for s in singles] == [200, 404, 404, 200, 400, 400]
    )
    assert [r["body"] for r in results] == [s.json() for s in singles]
    # and every item is recorded under the client, in order, on the batch channel
    recorded = VerificationAttempt.objects.filter(api_client=other.client).order_by("id")
    assert [a.outcome for a in recorded] == [
        "success",
        "failure",
        "failure",
        "success",
        "malformed",
        "malformed",
    ]
    assert {a.channel for a in recorded} == {"batch"}


def test_the_per_number_failure_limit_applies_to_each_item_as_to_single_calls(http, system, advance):
    # given one batch of 12 wrong keys on one number followed by the right key
    pairs = [(advance.number, OTHER_KEY)] * 12 + [(advance.number, KEY)]
    results = batch(http, pairs, **system.auth).json()["results"]
    # then 10 wrong keys were evaluated, the rest refused, the right key included
    assert [r["status"] for r in results] == [404] * 10 + [429] * 3
    assert results[-1]["retry_after"] > 14 * 60
    assert ratelimit.failures_counted(contract_number=advance.number) == 10
    # and a single call on that number is refused too
    assert verify(http, advance.number, KEY, **system.auth).status_code == 429


def test_every_item_counts_against_the_quota(http, system, advance):
    system.client.quota_per_hour = 3
    system.client.save()
    results = batch(http, [(advance.number, KEY)] * 5, **system.auth).json()["results"]
    assert [r["status"] for r in results] == [200, 200, 200, 429, 429]
    # and once every item is refused, the call itself is 429 with Retry-After
    refused = batch(http, [(advance.number, KEY)] * 2, **system.auth)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [{"contract_number": "1070000473", "auth_key": KEY}] * 101},
        {"items": "1070000473"},
        {"items": [["1070000473", KEY]]},
        {"items": [{"contract_number": 1070000473, "auth_key": KEY}]},
        {},
        [],
    ],
)
def test_a_batch_that_is_not_1_to_100_pairs_of_strings_is_refused_counted_and_recorded(http, system, body):
    response = http.post("/api/v1/verifications/batch", body, content_type="application/json", **system.auth)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    attempt = VerificationAttempt.objects.get()
    assert (attempt.outcome, attempt.api_client_id) == ("malformed", system.client.pk)
    assert ratelimit.asker_counted(client=_asker(system))[0] == 1


def _asker(system):
    return ratelimit.Client(hash="", user_agent="", api_client_id=system.client.pk)


def test_a_batch_needs_an_api_key_and_the_permission(http, system, advance):
    assert batch(http, [(advance.number, KEY)]).status_code == 401
    system.client.can_batch = False
    system.client.save()
    refused = batch(http, [(advance.number, KEY)], **system.auth)
    assert refused.status_code == 403
    assert VerificationAttempt.objects.count() == 0


def test_a_batch_of_100_costs_a_constant_number_of_queries(http, system):
    # given 100 different electronic guarantees
    guarantees = [current_guarantee() for _ in range(25)]
    pairs = [(g.number, KEY if i % 2 else OTHER_KEY) for i, g in enumerate(guarantees)] * 4
    # when they are verified in one batch
    with CaptureQueriesContext(connection) as queries:
        response = batch(http, pairs, **system.auth)
    assert response.status_code == 200
    # then: the API key, one key lookup for all numbers, one multi-row insert of the attempts
    statements = [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    assert len(statements) == 3, statements
    assert VerificationAttempt.objects.count() == 100
