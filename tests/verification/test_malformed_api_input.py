"""Malformed API input, however long or broken, is refused with a clear message, counted against
the caller and recorded, like every other bad input (docs/security.md)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tests.verification.helpers import KEY, api_verify, other_client
from verification import ratelimit
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db


def _counted_failures(n: int) -> int:
    request = RequestFactory().get("/", REMOTE_ADDR=f"198.51.100.{n}")
    return ratelimit.asker_counted(client=ratelimit.client_of(request))[0]


@pytest.mark.parametrize(
    ("number", "key", "field"),
    [
        ("1" * 65, KEY, "contract_number"),
        ("1070000473", "K" * 65, "auth_key"),
        ("1070000473" + " " * 60, KEY, "contract_number"),  # 70 characters that would normalise
        ("x" * 10_000, "y" * 10_000, "contract_number"),
    ],
)
def test_input_over_64_characters_is_counted_and_recorded(advance, number, key, field):
    response = api_verify(other_client(3), number, key)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    attempt = VerificationAttempt.objects.get()
    assert (attempt.outcome, attempt.channel) == ("malformed", "api")
    assert _counted_failures(3) == 1
    # and it does not count against the number
    assert ratelimit.failures_counted(contract_number="1070000473") == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"contract_number=1070000473", "application/x-www-form-urlencoded"),
        (b'["1070000473"]', "application/json"),
        (b'{"contract_number": {"a": 1}, "auth_key": null}', "application/json"),
    ],
)
def test_a_body_that_is_not_a_number_and_key_is_counted_and_recorded(advance, body, content_type):
    response = other_client(4).post("/api/v1/verifications", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert VerificationAttempt.objects.get().outcome == "malformed"
    assert _counted_failures(4) == 1


def test_once_the_address_has_used_its_failures_malformed_input_is_refused_too(advance, settings):
    settings.VERIFICATION_FAILURES_PER_CLIENT = 2
    client = other_client(5)
    assert api_verify(client, "1" * 65, KEY).status_code == 400
    assert client.post("/api/v1/verifications", b"{", content_type="application/json").status_code == 400
    refused = api_verify(client, "1" * 65, KEY)
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert list(VerificationAttempt.objects.values_list("outcome", flat=True).order_by("id")) == [
        "malformed",
        "malformed",
        "throttled",
    ]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_a_method_the_api_does_not_take_is_refused_in_japanese(client, method):
    # when an orderer's system uses another method than POST
    response = getattr(client, method)("/api/v1/verifications")
    # then it is told so in Japanese (Django REST framework's own catalogue, docs/decisions.md)
    assert response.status_code == 405
    assert response.json()["detail"] == f'メソッド "{method.upper()}" は許されていません。'
