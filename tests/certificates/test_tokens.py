import time_machine

from certificates.tokens import read_verified_access_token, verified_access_token


def test_a_token_grants_access_to_its_certificate_and_verification():
    access = read_verified_access_token(verified_access_token(certificate_id=7, verification_id=3))
    assert access is not None
    assert (access.certificate_id, access.verification_id) == (7, 3)


def test_an_altered_token_grants_nothing():
    token = verified_access_token(certificate_id=7)
    assert read_verified_access_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
    assert read_verified_access_token("not-a-token") is None


def test_a_token_expires_after_thirty_minutes():
    with time_machine.travel("2026-11-24 10:00 +0900", tick=False):
        token = verified_access_token(certificate_id=7)
    with time_machine.travel("2026-11-24 10:29 +0900", tick=False):
        assert read_verified_access_token(token) is not None
    with time_machine.travel("2026-11-24 10:31 +0900", tick=False):
        assert read_verified_access_token(token) is None
