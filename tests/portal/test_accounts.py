"""Login, logout, login limits, session ends, forced password change, password reset by e-mail."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings

from accounts.limits import normalize_login_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "Hosho-Portal-2026!"
SMTP_PORT = 8325


def _login(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_a_contractor_logs_in_to_the_list_and_logs_out(client, user_a):
    # when
    response = _login(client, "alpha")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200

    # when it logs out
    response = client.post("/accounts/logout/", follow=True)

    # then
    assert not _logged_in(client)
    assert "ログアウトしました。" in response.content.decode()
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_a_wrong_password_gets_a_clear_japanese_message(client, user_a):
    # when
    response = _login(client, "alpha", "wrong password")

    # then
    assert response.status_code == 200
    assert "ログインIDまたはパスワードが正しくありません。" in response.content.decode()
    assert not _logged_in(client)


def test_staff_logging_in_here_go_to_admin_when_the_second_factor_is_off(client, branch_clerk, settings):
    # given the embedded demo's setting
    settings.STAFF_REQUIRE_2FA = False

    # when
    response = _login(client, "clerk")

    # then
    assert response["Location"] == "/admin/"


@override_settings(LOGIN_FAILURES_PER_ID_CLIENT=5)
def test_five_failures_for_one_login_id_block_it_from_that_client_even_with_the_right_password(
    client, user_a
):
    # given five failures for one login ID from one client
    for _ in range(5):
        _login(client, "alpha", "wrong password", REMOTE_ADDR="192.0.2.1")

    # when the right password comes from there, in another spelling of the ID
    response = _login(client, "ＡＬＰＨＡ", REMOTE_ADDR="192.0.2.1")

    # then it is refused with a message that says to wait, 429 with Retry-After
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert "15分ほど待ってから" in response.content.decode()
    assert not _logged_in(client)
    # and another login ID from the same client is not affected
    UserFactory(username="gamma", contractor=user_a.contractor)
    assert _login(client, "gamma", REMOTE_ADDR="192.0.2.1").status_code == 302


@override_settings(LOGIN_FAILURES_PER_ID_CLIENT=5, LOGIN_FAILURES_PER_ID=50)
def test_a_stranger_guessing_a_login_id_does_not_lock_its_owner_out(client, user_a):
    # given a stranger who typed wrong passwords for alpha until refused
    for _ in range(8):
        _login(client, "alpha", "wrong password", REMOTE_ADDR="203.0.113.66")
    assert _login(client, "alpha", REMOTE_ADDR="203.0.113.66").status_code == 429

    # when the owner logs in from the office
    response = _login(client, "alpha", REMOTE_ADDR="192.0.2.10")

    # then it gets in
    assert response["Location"] == "/"
    assert _logged_in(client)


@override_settings(LOGIN_FAILURES_PER_ID_CLIENT=5, LOGIN_FAILURES_PER_ID=12)
def test_failures_from_many_clients_reach_the_login_ids_ceiling_and_block_it_everywhere(client, user_a):
    # given four clients with three failures each (below the per-client limit, at the ceiling)
    for n in range(4):
        for _ in range(3):
            _login(client, "alpha", "wrong password", REMOTE_ADDR=f"192.0.2.{n}")

    # when the right password comes from a fifth client
    response = _login(client, "alpha", REMOTE_ADDR="192.0.2.99")

    # then the ceiling refuses it too, until the window ends
    assert response.status_code == 429
    assert "15分ほど待ってから" in response.content.decode()
    assert not _logged_in(client)


@override_settings(LOGIN_FAILURES_PER_ID_CLIENT=5, LOGIN_FAILURES_PER_ID=12)
def test_the_owners_own_browser_gets_in_while_strangers_hold_the_ceiling(client, user_a):
    # given the owner logged in once in its browser (a known device), then logged out
    assert _login(client, "alpha", REMOTE_ADDR="192.0.2.10")["Location"] == "/"
    client.post("/accounts/logout/")
    cookie = client.cookies["portal_device"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 180 * 24 * 60 * 60

    # and strangers at four addresses fill the ceiling of the login ID
    stranger = Client()
    for n in range(4):
        for _ in range(3):
            _login(stranger, "alpha", "wrong password", REMOTE_ADDR=f"203.0.113.{n}")
    assert _login(Client(), "alpha", REMOTE_ADDR="192.0.2.10").status_code == 429

    # when the owner logs in from its browser, even from a new address
    response = _login(client, "alpha", REMOTE_ADDR="198.51.100.20")

    # then it gets in
    assert response["Location"] == "/"
    assert _logged_in(client)


@override_settings(LOGIN_FAILURES_PER_ID_CLIENT=3)
def test_a_known_device_gets_no_more_guesses_than_an_address_and_only_for_its_login_id(client, user_a):
    # given a browser that is a known device of alpha
    assert _login(client, "alpha")["Location"] == "/"
    client.post("/accounts/logout/")

    # when three wrong passwords come from it, from three addresses
    for n in range(3):
        _login(client, "alpha", "wrong password", REMOTE_ADDR=f"192.0.2.{n}")

    # then the device is refused, the right password included
    assert _login(client, "alpha", REMOTE_ADDR="192.0.2.9").status_code == 429
    # and its cookie counts for nothing with another login ID: the usual counters apply
    UserFactory(username="gamma", contractor=user_a.contractor)
    for _ in range(3):
        _login(client, "gamma", "wrong password", REMOTE_ADDR="192.0.2.50")
    assert _login(client, "gamma", REMOTE_ADDR="192.0.2.50").status_code == 429
    assert _login(Client(), "gamma", REMOTE_ADDR="192.0.2.51")["Location"] == "/"


@override_settings(LOGIN_FAILURES_PER_CLIENT=20)
def test_twenty_failures_from_one_client_block_that_client(client, user_a):
    # given twenty failures with different IDs from one client
    for n in range(20):
        _login(client, f"guess{n}", "wrong password", REMOTE_ADDR="198.51.100.7")

    # when a real user tries from there
    blocked = _login(client, "alpha", REMOTE_ADDR="198.51.100.7")

    # then the client is refused, but the user can log in from elsewhere
    assert "一時的に停止しています" in blocked.content.decode()
    assert _login(client, "alpha", REMOTE_ADDR="198.51.100.8").status_code == 302


@override_settings(LOGIN_FAILURES_PER_ID_CLIENT=2, LOGIN_FAILURE_WINDOW=1)
def test_the_block_ends_with_its_window(client, user_a):
    # given a blocked login ID
    _login(client, "alpha", "wrong")
    _login(client, "alpha", "wrong")
    assert "一時的に停止しています" in _login(client, "alpha").content.decode()

    # when the window (one second here) has passed in Redis
    time.sleep(1.5)

    # then the right password works again
    assert _login(client, "alpha").status_code == 302


def test_a_successful_login_clears_the_login_ids_failures(client, user_a):
    # given four failures, then a success
    for _ in range(4):
        _login(client, "alpha", "wrong")
    assert _login(client, "alpha").status_code == 302
    client.post("/accounts/logout/")

    # when four more failures happen
    for _ in range(4):
        _login(client, "alpha", "wrong")

    # then the fifth attempt is still judged on its password
    assert _login(client, "alpha").status_code == 302


def test_a_session_ends_after_thirty_idle_minutes(client, user_a, time_machine):
    # given a login at 09:00
    start = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    _login(client, "alpha")
    assert client.get("/").status_code == 200

    # when the next request comes 29 minutes later, then 31 minutes after that
    time_machine.move_to(start + dt.timedelta(minutes=29), tick=False)
    assert client.get("/").status_code == 200
    time_machine.move_to(start + dt.timedelta(minutes=29 + 31), tick=False)
    response = client.get("/", follow=True)

    # then the session has ended, with a message on the login page
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "一定時間操作がなかったため、ログアウトしました。" in response.content.decode()
    assert not _logged_in(client)


def test_a_session_ends_twelve_hours_after_login_however_active(client, user_a, time_machine):
    # given a login, then a request every 20 minutes
    start = dt.datetime(2026, 7, 1, 0, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    _login(client, "alpha")
    client.get("/")
    minutes = 0
    while minutes < 12 * 60 - 20:
        minutes += 20
        time_machine.move_to(start + dt.timedelta(minutes=minutes), tick=False)
        assert client.get("/").status_code == 200, minutes

    # when the next request comes after twelve hours
    time_machine.move_to(start + dt.timedelta(hours=12, minutes=1), tick=False)
    response = client.get("/", follow=True)

    # then
    assert "ログインから12時間が経過したため、ログアウトしました。" in response.content.decode()
    assert not _logged_in(client)


def test_a_first_login_with_an_issued_password_must_change_it_first(client, contractor_a):
    # given a user with the password the company issued
    UserFactory(username="newcomer", contractor=contractor_a, must_change_password=True)

    # when it logs in, every portal page leads to the password change
    _login(client, "newcomer")
    assert client.get("/")["Location"] == "/accounts/password/"
    assert client.get("/certificates/1070000473/")["Location"] == "/accounts/password/"
    page = client.get("/accounts/password/").content.decode()
    assert "会社から発行されたパスワードでログインしています。" in page
    assert client.get("/manual/").status_code == 200

    # when it sets a new password
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    # then the list opens and the flag is down
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    from accounts.models import User

    assert User.objects.get(username="newcomer").must_change_password is False


def test_a_weak_new_password_is_refused_in_japanese(client, user_a):
    # given
    client.force_login(user_a)

    # when
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "field-error" in html
    assert user_a.check_password(PASSWORD)


def test_login_ids_are_normalised_for_counting():
    # then
    assert normalize_login_id(" ＡＬＰＨＡ ") == normalize_login_id("alpha")
