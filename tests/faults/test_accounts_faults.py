"""Faults met by the accounts pages (the portal's login and its code step, the staff admin login,
password reset): the test's own real Redis stopped, or paused with SIGSTOP, and a real SMTP server
answering 421. For each: what the user sees (status, Japanese text), nothing lost, nothing doubled.
The shared Redis of the machine is never touched (tests/faults/own_redis.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import limits
from notifications.models import OutboxMessage
from tests.factories import UserFactory
from tests.faults.own_redis import OwnRedis, own_redis_fixture  # noqa: F401 - the fixture
from tests.notifications.helpers import send_all
from tests.notifications.smtp import SMTPServer

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN_UNAVAILABLE = "現在、システムの一部が応答しないため、ログインを受け付けられません。"
RESET_UNAVAILABLE = "パスワード再設定のお申し込みを受け付けられません。"


def _login(client: Any, username: str = "alpha", password: str = PASSWORD) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def _assert_unavailable(response: Any, text: str) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert text in response.content.decode()


def test_the_tests_own_redis_answers_then_refuses_when_stopped(own_redis: OwnRedis) -> None:
    # given the test's own server
    client = own_redis.client()
    assert client.ping()

    # when it is stopped
    own_redis.stop()

    # then connections are refused
    with pytest.raises(Exception, match=r"refused|Connection"):
        client.ping()


@pytest.mark.parametrize("fault", ["stopped", "paused"])
def test_redis_failing_makes_the_login_say_so_in_japanese_and_the_login_works_once_it_is_back(
    own_redis: OwnRedis, client: Any, user_a: Any, fault: str
) -> None:
    # given Redis stopped, or hung (SIGSTOP: connections accepted, no answer)
    own_redis.stop() if fault == "stopped" else own_redis.pause()

    # when the contractor logs in with the right password
    response = _login(client)

    # then the page says what happened (503, Retry-After), the password was not even compared,
    # and there is no session
    _assert_unavailable(response, LOGIN_UNAVAILABLE)
    assert "パスワードは確認していません。" in response.content.decode()
    assert SESSION_KEY not in client.session
    # and the pages that need no Redis still open
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/accounts/password/reset/").status_code == 200

    # when Redis is back
    if fault == "stopped":
        own_redis.start()
    else:
        own_redis.resume()

    # then the login works, and the refused attempt left no failure behind
    assert _login(client)["Location"] == "/"
    assert limits.login_failures_counted(login_id="alpha", client="127.0.0.1") == {
        "id_client": 0,
        "id": 0,
        "client": 0,
    }


def test_redis_down_at_the_code_step_says_so_and_the_right_code_works_once_it_is_back(
    own_redis: OwnRedis, client: Any, user_a: Any, settings: Any, time_machine: Any
) -> None:
    # given a contractor with two-factor on who gave the right password
    time_machine.move_to(dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC), tick=False)
    device = TOTPDevice.objects.create(user=user_a, name="portal", confirmed=True)
    assert _login(client)["Location"] == "/accounts/login/code/"

    # when Redis goes down before the code comes
    own_redis.stop()
    response = client.post("/accounts/login/code/", {"code": _code(device)})

    # then the code is not compared (so not used up), the page says why, and there is no session
    _assert_unavailable(response, LOGIN_UNAVAILABLE)
    assert SESSION_KEY not in client.session

    # when Redis is back, the same code logs in
    own_redis.start()
    assert client.post("/accounts/login/code/", {"code": _code(device)})["Location"] == "/"
    assert SESSION_KEY in client.session


def test_redis_down_makes_the_staff_admin_login_say_so_in_japanese(
    own_redis: OwnRedis, client: Any, settings: Any
) -> None:
    # given a staff member with a TOTP device, the second factor required
    settings.STAFF_REQUIRE_2FA = True
    officer = UserFactory(username="officer", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    own_redis.stop()

    # when the officer logs in to admin with password and code
    response = client.post(
        "/admin/login/",
        {
            "username": "officer",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": _code(device),
            "next": "/admin/",
        },
    )

    # then the page says what happened and admin stays closed
    _assert_unavailable(response, LOGIN_UNAVAILABLE)
    assert client.get("/admin/").status_code == 302
    # and the portal's login says the same for staff
    _assert_unavailable(_login(client, "officer"), LOGIN_UNAVAILABLE)


@pytest.fixture
def smtp(settings: Any) -> Any:
    server = SMTPServer()
    server.start()
    settings.MAILERS = server.mailers()
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0  # a retry is due at once (no clock games)
    yield server
    server.stop()


def test_redis_down_makes_the_password_reset_say_so_and_queue_nothing(
    own_redis: OwnRedis, client: Any, user_a: Any, smtp: SMTPServer
) -> None:
    # given a user with a registered address, and Redis down
    user_a.email = "alpha@example.jp"
    user_a.save()
    own_redis.stop()

    # when the user asks for a reset
    response = client.post("/accounts/password/reset/", {"email": "alpha@example.jp"})

    # then the page says the request was not taken (so the user knows to try again), nothing queued
    _assert_unavailable(response, RESET_UNAVAILABLE)
    assert OutboxMessage.objects.count() == 0

    # when Redis is back and the user asks again, exactly one mail arrives
    own_redis.start()
    assert client.post("/accounts/password/reset/", {"email": "alpha@example.jp"}).status_code == 302
    send_all()
    assert len(smtp.handler.received) == 1


def test_an_smtp_server_answering_421_delays_the_reset_mail_but_loses_and_doubles_nothing(
    client: Any, user_a: Any, smtp: SMTPServer
) -> None:
    # given a user with a registered address, and an SMTP server that answers 421
    user_a.email = "alpha@example.jp"
    user_a.save()
    smtp.handler.mail_reply = "421 4.3.2 Service not available, closing transmission channel"

    # when the user asks for a reset three times, and the worker tries to send
    for _ in range(3):
        response = client.post("/accounts/password/reset/", {"email": "alpha@example.jp"}, follow=True)
        assert "入力されたメールアドレスが登録されている場合は" in response.content.decode()
    send_all()

    # then the mail waits for its retry, recorded with the server's answer
    row = OutboxMessage.objects.get(kind="password_reset")
    assert row.state == "retry"
    assert row.last_error.startswith("421")
    assert smtp.handler.received == []

    # when the server accepts again and the worker runs
    smtp.handler.mail_reply = None
    send_all()

    # then exactly one mail arrived, with a working link
    [mail] = smtp.handler.received
    assert mail.rcpt_tos == ["alpha@example.jp"]
    assert "ログインID: alpha" in mail.text.splitlines()
    row.refresh_from_db()
    assert row.state == "sent"
    assert OutboxMessage.objects.count() == 1


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults"


@pytest.mark.django_db(transaction=True)
def test_in_the_browser_a_login_with_redis_down_shows_the_japanese_message(
    own_redis: OwnRedis, browser: Any, live_server: Any, contractor_a: Any
) -> None:
    # given a contractor, and Redis down
    UserFactory(username="alpha", contractor=contractor_a)
    own_redis.stop()
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    try:
        # when the contractor logs in
        page.goto("/accounts/login/")
        page.get_by_label("ログインID").fill("alpha")
        page.get_by_label("パスワード").fill(PASSWORD)
        with page.expect_response(lambda response: response.request.method == "POST") as answer:
            page.get_by_role("button", name="ログイン").click()

        # then the page says what happened, with the login form to try again
        assert answer.value.status == 503
        assert LOGIN_UNAVAILABLE in page.content()
        assert page.get_by_label("ログインID").input_value() == "alpha"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "login-redis-down.png"), full_page=True)

        # and the password reset page says the same for its request
        page.goto("/accounts/password/reset/")
        page.get_by_label("登録メールアドレス").fill("alpha@example.jp")
        page.get_by_role("button", name="送信する").click()
        assert RESET_UNAVAILABLE in page.content()
        page.screenshot(path=str(ARTIFACTS / "password-reset-redis-down.png"), full_page=True)
    finally:
        context.close()
