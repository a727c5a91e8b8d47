"""Login, logout, login limits, session ends, forced password change, password reset by e-mail."""

from __future__ import annotations

import datetime as dt
import email
import re
import time
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import SESSION_KEY
from django.test import override_settings

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


def test_staff_logging_in_here_go_to_admin(client, branch_clerk):
    # when
    response = _login(client, "clerk")

    # then
    assert response["Location"] == "/admin/"


@override_settings(LOGIN_FAILURES_PER_ID=5)
def test_five_failures_for_one_login_id_block_it_even_with_the_right_password(client, user_a):
    # given five failures from different clients
    for n in range(5):
        _login(client, "alpha", "wrong password", REMOTE_ADDR=f"192.0.2.{n}")

    # when the right password comes, in another spelling of the ID
    response = _login(client, "ＡＬＰＨＡ", REMOTE_ADDR="192.0.2.99")

    # then it is refused with a message that says to wait
    assert "15分ほど待ってから" in response.content.decode()
    assert not _logged_in(client)
    # and another login ID from the same client is not affected
    UserFactory(username="gamma", contractor=user_a.contractor)
    assert _login(client, "gamma", REMOTE_ADDR="192.0.2.99").status_code == 302


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


@override_settings(LOGIN_FAILURES_PER_ID=2, LOGIN_FAILURE_WINDOW=1)
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


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_inbox():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": SMTP_PORT, "timeout": 5},
        }
    }
    with override_settings(MAILERS=mailers):
        yield inbox
    controller.stop()


def _body(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def test_a_forgotten_password_is_reset_through_the_registered_email(client, user_a, smtp_inbox):
    # given a user who has forgotten the password
    user_a.email = "alpha@example.jp"
    user_a.must_change_password = True
    user_a.save()

    # when it asks for a reset with its registered address
    response = client.post("/accounts/password/reset/", {"email": "alpha@example.jp"})
    assert response["Location"] == "/accounts/password/reset/sent/"

    # then one mail arrives through SMTP with a link
    [message] = smtp_inbox.messages
    assert message["To"] == "alpha@example.jp"
    assert "パスワード再設定" in str(email.header.make_header(email.header.decode_header(message["Subject"])))
    body = _body(message)
    assert "ログインID alpha" in body
    found = re.search(r"http://testserver(/accounts/password/reset/\S+/)", body)
    assert found is not None
    link = found.group(1)

    # when it follows the link and sets a new password
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url, {"new_password1": "Shin-Password-2026", "new_password2": "Shin-Password-2026"}
    )

    # then the new password works and no change is forced any more
    assert response["Location"] == "/accounts/password/reset/complete/"
    user_a.refresh_from_db()
    assert user_a.check_password("Shin-Password-2026")
    assert user_a.must_change_password is False
    # and the link cannot be used twice
    assert "このリンクは無効か" in client.get(link, follow=True).content.decode()


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, user_a, smtp_inbox):
    # when
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.jp"})

    # then
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert smtp_inbox.messages == []


def test_login_ids_are_normalised_for_counting():
    # then
    assert normalize_login_id(" ＡＬＰＨＡ ") == normalize_login_id("alpha")
