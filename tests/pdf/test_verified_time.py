"""The orderer's verified-access token carries the time of verification for the receipt."""

from __future__ import annotations

import datetime as dt

import time_machine

from certificates.tokens import read_verified_access_token, verified_access_token


def test_a_token_carries_the_time_of_verification():
    verified_at = dt.datetime(2026, 11, 24, 1, 5, 9, tzinfo=dt.UTC)
    with time_machine.travel(verified_at + dt.timedelta(minutes=1), tick=False):
        access = read_verified_access_token(verified_access_token(certificate_id=7, verified_at=verified_at))
    assert access is not None
    assert access.verified_at == verified_at


def test_without_a_given_time_the_token_records_when_it_was_made():
    with time_machine.travel("2026-11-24 10:05:09 +0900", tick=False):
        token = verified_access_token(certificate_id=7, verification_id=3)
        access = read_verified_access_token(token)
    assert access is not None
    assert access.verified_at == dt.datetime(2026, 11, 24, 1, 5, 9, tzinfo=dt.UTC)
    assert (access.certificate_id, access.verification_id) == (7, 3)
