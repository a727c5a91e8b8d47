"""API keys: hashed with a visible prefix, rotated and revoked at once, every call under its client."""

from __future__ import annotations

import pytest

from apiclients.models import ApiKey, ChangesRead
from apiclients.services import api_credentials_issue, api_keys_revoke
from tests.apiclients.helpers import changes, verify
from tests.verification.helpers import KEY, OTHER_KEY
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db


def test_the_key_is_stored_only_as_a_digest_under_its_visible_prefix(system):
    key = ApiKey.objects.get(client=system.client)
    raw = system.credentials.api_key
    assert raw.startswith(f"{key.prefix}_")
    assert key.prefix.startswith("gpk_")
    assert raw not in key.digest
    assert raw[len(key.prefix) + 1 :] not in str(ApiKey.objects.values().get())
    assert (
        system.credentials.webhook_secret
        not in system.client.__class__.objects.values().get()["webhook_secret_ciphertext"]
    )


def test_a_verification_with_a_key_is_recorded_under_its_client(http, system, advance):
    response = verify(http, advance.number, KEY, **system.auth)
    assert response.status_code == 200
    assert verify(http, advance.number, OTHER_KEY, **system.auth).status_code == 404
    attempts = VerificationAttempt.objects.order_by("id")
    assert [(a.outcome, a.api_client_id) for a in attempts] == [
        ("success", system.client.pk),
        ("failure", system.client.pk),
    ]


def test_a_rotated_key_is_refused_at_once_and_the_new_one_works(http, system, advance):
    # given a key that worked
    assert verify(http, advance.number, KEY, **system.auth).status_code == 200
    old = system.auth
    # when staff rotate the credentials
    rotated = api_credentials_issue(client=system.client, issued_by=None)
    # then the old key is refused on the very next call, with the reason, and the new one works
    refused = verify(http, advance.number, KEY, **old)
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthorized"
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert changes(http, "2020-01-01T00:00:00Z", **old).status_code == 401
    assert (
        verify(http, advance.number, KEY, HTTP_AUTHORIZATION=f"Bearer {rotated.api_key}").status_code == 200
    )
    assert ApiKey.objects.filter(client=system.client, revoked_at__isnull=True).count() == 1


def test_a_revoked_key_is_refused_at_once(http, system, advance):
    assert verify(http, advance.number, KEY, **system.auth).status_code == 200
    api_keys_revoke(key_ids=list(ApiKey.objects.values_list("pk", flat=True)), revoked_by=None)
    assert verify(http, advance.number, KEY, **system.auth).status_code == 401
    # and refused calls are not verifications of the client
    assert VerificationAttempt.objects.count() == 1


def test_a_disabled_client_and_a_forged_key_are_refused(http, system, advance):
    forged = system.credentials.api_key[:-1] + ("A" if system.credentials.api_key[-1] != "A" else "B")
    assert verify(http, advance.number, KEY, HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401
    assert verify(http, advance.number, KEY, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").status_code == 401
    system.client.is_active = False
    system.client.save()
    assert verify(http, advance.number, KEY, **system.auth).status_code == 401


def test_what_a_client_may_do_is_what_staff_allowed(http, system, advance):
    system.client.can_read_changes = False
    system.client.can_verify = False
    system.client.save()
    assert changes(http, "2020-01-01T00:00:00Z", **system.auth).status_code == 403
    forbidden = verify(http, advance.number, KEY, **system.auth)
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "forbidden"
    # without a key, the change feed asks for one
    assert changes(http, "2020-01-01T00:00:00Z").status_code == 401


def test_each_read_of_the_change_feed_is_recorded_under_its_client(http, system):
    assert changes(http, "2020-01-01T00:00:00Z", **system.auth).status_code == 200
    read = ChangesRead.objects.get()
    assert read.client == system.client
    assert read.changes == 0


def test_the_quota_of_a_client_counts_every_call_and_replaces_the_address_limits(
    http, system, advance, settings
):
    # given a client allowed 5 verifications an hour, behind an address whose limits are tiny
    settings.VERIFICATION_SUCCESSES_PER_CLIENT = 1
    settings.VERIFICATION_FAILURES_PER_CLIENT = 1
    system.client.quota_per_hour = 5
    system.client.save()
    # when it verifies 5 times (right and wrong)
    statuses = [
        verify(http, advance.number, key, **system.auth).status_code
        for key in [KEY, OTHER_KEY, KEY, KEY, KEY]
    ]
    # then all were answered, and the sixth is refused with the quota's wait
    assert statuses == [200, 404, 200, 200, 200]
    refused = verify(http, advance.number, KEY, **system.auth)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 55 * 60
    # and an anonymous caller behind the same address is limited by the address, not by the client
    assert verify(http, advance.number, KEY).status_code == 200
    assert verify(http, advance.number, KEY).status_code == 429


def test_the_failures_of_a_client_are_limited_on_their_own(http, system, advance):
    system.client.failures_per_hour = 3
    system.client.save()
    for n in range(3):
        assert verify(http, f"10799000{n:02d}", OTHER_KEY, **system.auth).status_code == 404
    assert verify(http, advance.number, KEY, **system.auth).status_code == 429
