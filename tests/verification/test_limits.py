"""Brute-force limits: per contract number, per client, shared by page and API, atomic, fail closed."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from tests.verification.helpers import (
    CLOSED_PORT,
    KEY,
    OTHER_KEY,
    UNKNOWN_NUMBER,
    api_verify,
    other_client,
    page_verify,
)
from verification import ratelimit
from verification.errors import VerificationError
from verification.models import VerificationAttempt
from verification.ratelimit import Client as Asker
from verification.services import verification_perform

pytestmark = pytest.mark.django_db


def test_ten_wrong_keys_on_a_number_refuse_the_eleventh_attempt_even_with_the_right_key(advance):
    # given ten wrong guesses on one number, each from a different client, through page and API
    for n in range(10):
        verify = api_verify if n % 2 else page_verify
        assert verify(other_client(n), advance.number, OTHER_KEY).status_code == 404
    # when anyone tries that number again, with the right key
    page = page_verify(other_client(50), advance.number, KEY)
    api = api_verify(other_client(51), advance.number, KEY)
    # then both are refused with the throttle message and Retry-After
    assert page.status_code == api.status_code == 429
    assert "確認の回数が上限に達しました" in page.content.decode()
    assert int(page["Retry-After"]) > 14 * 60
    # and another number is not affected
    assert api_verify(other_client(52), UNKNOWN_NUMBER, OTHER_KEY).status_code == 404


def test_a_match_gives_its_reserved_failure_back(advance, settings):
    settings.VERIFICATION_FAILURES_PER_NUMBER = 3
    # given two wrong guesses and then the right key
    for n in range(2):
        api_verify(other_client(n), advance.number, OTHER_KEY)
    assert api_verify(other_client(9), advance.number, KEY).status_code == 200
    # then one more wrong guess is still compared (the match did not use up the limit)
    assert api_verify(other_client(3), advance.number, OTHER_KEY).status_code == 404
    assert api_verify(other_client(4), advance.number, KEY).status_code == 429
    assert ratelimit.failures_counted(contract_number=advance.number) == 3


def test_a_hundred_failures_from_one_address_refuse_the_next_attempt_on_any_number(advance):
    client = other_client(7)
    for n in range(100):
        number = f"10799{n:05d}"
        assert api_verify(client, number, OTHER_KEY).status_code == 404
    assert api_verify(client, advance.number, KEY).status_code == 429
    assert page_verify(client, advance.number, KEY).status_code == 429
    # and another address still gets through
    assert api_verify(other_client(8), advance.number, KEY).status_code == 200


def test_successes_from_one_address_do_not_use_up_its_failure_limit(advance, settings):
    settings.VERIFICATION_FAILURES_PER_CLIENT = 3
    client = other_client(7)
    for _ in range(20):
        assert api_verify(client, advance.number, KEY).status_code == 200
    assert ratelimit.asker_counted(client=_asker(client)) == (0, 20)
    # three failures, and then the address is refused, the right key included
    for _ in range(3):
        assert api_verify(client, UNKNOWN_NUMBER, OTHER_KEY).status_code == 404
    assert api_verify(client, advance.number, KEY).status_code == 429


def test_the_separate_cap_on_successes_holds_per_address(advance, settings):
    settings.VERIFICATION_SUCCESSES_PER_CLIENT = 5
    client = other_client(7)
    for _ in range(5):
        assert api_verify(client, advance.number, KEY).status_code == 200
    refused = api_verify(client, advance.number, KEY)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 9 * 60
    assert api_verify(other_client(8), advance.number, KEY).status_code == 200


def _asker(client: Client) -> Asker:
    return ratelimit.client_of(RequestFactory().get("/", REMOTE_ADDR=client.defaults["REMOTE_ADDR"]))


def test_malformed_attempts_count_against_the_client_but_not_against_a_number(advance, settings):
    settings.VERIFICATION_FAILURES_PER_CLIENT = 3
    client = other_client(7)
    for _ in range(3):
        assert api_verify(client, advance.number, "short").status_code == 400
    assert api_verify(client, advance.number, KEY).status_code == 429
    assert ratelimit.failures_counted(contract_number=advance.number) == 0


def test_a_forged_x_forwarded_for_buys_no_new_attempts(advance, settings):
    settings.VERIFICATION_FAILURES_PER_CLIENT = 3
    # given no trusted proxy: X-Forwarded-For is ignored
    for n in range(3):
        api_verify(other_client(7), UNKNOWN_NUMBER, OTHER_KEY, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert (
        api_verify(other_client(7), advance.number, KEY, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code
        == 429
    )
    # given one trusted proxy (REMOTE_ADDR is the proxy): only the entry the proxy appended counts
    settings.TRUSTED_PROXY_HOPS = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for n in range(3):
        forged = f"203.0.113.{n}, 192.0.2.77"
        api_verify(proxy, UNKNOWN_NUMBER, OTHER_KEY, HTTP_X_FORWARDED_FOR=forged)
    response = api_verify(proxy, advance.number, KEY, HTTP_X_FORWARDED_FOR="203.0.113.99, 192.0.2.77")
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("hops", "remote", "forwarded", "client"),
    [
        (0, "192.0.2.1", "203.0.113.9", "192.0.2.1"),
        (1, "10.0.0.1", "203.0.113.9, 192.0.2.5", "192.0.2.5"),
        (2, "10.0.0.2", "203.0.113.9, 192.0.2.5, 10.0.0.1", "192.0.2.5"),
        (2, "10.0.0.2", "192.0.2.5", "10.0.0.2"),  # fewer entries than proxies: trust none of them
        (1, "10.0.0.1", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        (1, "10.0.0.1", "::ffff:192.0.2.5", "192.0.2.5"),
        (1, "10.0.0.1", "not-an-address", "not-an-address"),
    ],
)
def test_the_client_address_trusts_exactly_the_configured_proxy_hops(
    settings, hops, remote, forwarded, client
):
    settings.TRUSTED_PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_address(request) == client


def test_the_limits_cool_off_by_themselves(advance, settings):
    # given a one-second window and a number that reached its limit
    settings.VERIFICATION_FAILURES_PER_NUMBER = 2
    settings.VERIFICATION_FAILURE_WINDOW = 1
    for n in range(2):
        api_verify(other_client(n), advance.number, OTHER_KEY)
    assert api_verify(other_client(5), advance.number, KEY).status_code == 429
    # when the window has passed (the key expired in Redis)
    time.sleep(1.2)
    # then the right key works again
    assert api_verify(other_client(6), advance.number, KEY).status_code == 200


def test_refused_attempts_do_not_extend_a_lockout(advance, settings):
    # given a four-second window that a number has just used up
    settings.VERIFICATION_FAILURES_PER_NUMBER = 1
    settings.VERIFICATION_FAILURE_WINDOW = 4
    api_verify(other_client(1), advance.number, OTHER_KEY)
    first = api_verify(other_client(2), advance.number, KEY)
    assert first["Retry-After"] in {"3", "4"}
    # when refused attempts keep coming
    time.sleep(2.1)
    later = api_verify(other_client(3), advance.number, KEY)
    # then the wait only shrinks: refusals are not counted and do not restart the window
    assert later.status_code == 429
    assert int(later["Retry-After"]) <= 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_guesses_never_get_more_comparisons_than_the_limit(advance, settings):
    # given a limit of 5 wrong guesses and 24 threads guessing at once
    settings.VERIFICATION_FAILURES_PER_NUMBER = 5
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(24)

    def guess(n: int) -> None:
        start.wait()
        try:
            verification_perform(
                contract_number=advance.number,
                auth_key=OTHER_KEY,
                client=Asker(hash=f"thread-{n}", user_agent="t"),
                channel=VerificationAttempt.Channel.API,
            )
        except VerificationError as exc:
            with lock:
                outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly 5 guesses were compared and the rest refused
    assert sorted(outcomes) == ["not_found"] * 5 + ["throttled"] * 19
    assert ratelimit.failures_counted(contract_number=advance.number) == 5
    assert VerificationAttempt.objects.filter(outcome="failure").count() == 5


def _settle_in_process(n: int) -> bool:
    asker = Asker(hash=f"process-{n}", user_agent="t")
    return ratelimit.settle(client=asker, items=[(ratelimit.FAILURE, "1070000001")])[0].allowed


def test_concurrent_processes_never_overshoot_the_limit(settings):
    # given a limit of 4 and 16 processes counting a failure on one number at the same moment
    settings.VERIFICATION_FAILURES_PER_NUMBER = 4
    context = multiprocessing.get_context("fork")
    with context.Pool(8) as pool:
        allowed = pool.map(_settle_in_process, range(16))
    # then exactly 4 were allowed
    assert allowed.count(True) == 4
    assert ratelimit.failures_counted(contract_number="1070000001") == 4


def test_when_redis_is_unavailable_the_page_fails_closed_with_a_clear_message(advance, settings):
    # given the limiter points at a port where nothing listens
    settings.VERIFICATION_REDIS_URL = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    # when the orderer verifies with the right key
    response = page_verify(other_client(1), advance.number, KEY)
    # then nothing is shown, the message says to try later, and the attempt is recorded
    assert response.status_code == 503
    assert "現在、証書の確認を受け付けられません" in response.content.decode()
    assert VerificationAttempt.objects.get().outcome == "unavailable"


def test_without_any_redis_url_the_embedded_demo_counts_in_the_process(advance, settings):
    settings.VERIFICATION_REDIS_URL = ""
    settings.VERIFICATION_FAILURES_PER_NUMBER = 2
    for n in range(2):
        assert api_verify(other_client(n), advance.number, OTHER_KEY).status_code == 404
    assert api_verify(other_client(9), advance.number, KEY).status_code == 429
