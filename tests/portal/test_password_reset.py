"""Password reset by mail: through the outbox, one mail per address and window, limits per address and
per client, and the same work whether an account has the address or not."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from notifications.models import OutboxMessage
from tests.factories import UserFactory
from tests.notifications.helpers import send_all
from tests.notifications.smtp import SMTPServer

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
SENT = "/accounts/password/reset/sent/"


@pytest.fixture
def smtp_mail(settings):
    server = SMTPServer()
    server.start()
    settings.MAILERS = server.mailers()
    yield server
    server.stop()


@pytest.fixture
def alpha_with_mail(user_a):
    user_a.email = "alpha@example.jp"
    user_a.must_change_password = True
    user_a.save()
    return user_a


def _request(client, address: str, client_address: str = "192.0.2.1"):
    return client.post(RESET, {"email": address}, REMOTE_ADDR=client_address)


def _link(text: str, base_url: str) -> str:
    found = re.search(re.escape(base_url.rstrip("/")) + r"(/accounts/password/reset/\S+/)", text)
    assert found is not None, text
    return found.group(1)


def test_a_forgotten_password_is_reset_through_the_outbox_and_the_registered_address(
    client, alpha_with_mail, smtp_mail, settings
):
    # when the user asks for a reset with its registered address
    response = _request(client, "alpha@example.jp")

    # then the page says so and the mail waits in the outbox
    assert response["Location"] == SENT
    [row] = OutboxMessage.objects.all()
    assert (row.kind, row.to, row.state) == ("password_reset", "alpha@example.jp", "queued")
    assert row.context == {"address": "alpha@example.jp"}  # no link, no token stored

    # when the worker sends it, one mail arrives through SMTP with a link for the login ID
    send_all()
    [mail] = smtp_mail.handler.received
    assert mail.rcpt_tos == ["alpha@example.jp"]
    assert "パスワード再設定" in mail.subject
    assert "ログインID: alpha" in mail.text
    link = _link(mail.text, settings.PORTAL_BASE_URL)
    assert link in mail.html

    # when it follows the link and sets a new password
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url, {"new_password1": "Shin-Password-2026", "new_password2": "Shin-Password-2026"}
    )

    # then the new password works and no change is forced any more
    assert response["Location"] == "/accounts/password/reset/complete/"
    alpha_with_mail.refresh_from_db()
    assert alpha_with_mail.check_password("Shin-Password-2026")
    assert alpha_with_mail.must_change_password is False
    # and the link cannot be used twice
    assert "このリンクは無効か" in client.get(link, follow=True).content.decode()


def test_one_mail_lists_every_account_that_has_the_address(client, alpha_with_mail, smtp_mail):
    # given a second login ID of the company with the same address (another spelling of it)
    UserFactory(username="alpha-keiri", contractor=alpha_with_mail.contractor, email="Alpha@Example.jp")

    # when
    _request(client, "ALPHA@example.jp")
    send_all()

    # then one mail, with a link for each login ID
    [mail] = smtp_mail.handler.received
    lines = mail.text.splitlines()
    assert "ログインID: alpha" in lines
    assert "ログインID: alpha-keiri" in lines


def test_twenty_requests_for_one_address_send_one_mail(client, alpha_with_mail, smtp_mail, settings):
    # given no limit on the requests for the address (the outbox's key is what this shows)
    settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS = 100

    # when twenty requests come for one address from ten clients within the window
    for n in range(20):
        assert _request(client, "alpha@example.jp", f"192.0.2.{n % 10}")["Location"] == SENT
    send_all()

    # then one row, one mail
    assert OutboxMessage.objects.count() == 1
    assert len(smtp_mail.handler.received) == 1


def test_requests_for_one_address_are_limited_with_a_japanese_message(client, alpha_with_mail, settings):
    # given the limit of five requests per address
    settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS = 5
    for n in range(5):
        assert _request(client, "alpha@example.jp", f"192.0.2.{n}").status_code == 302

    # when a sixth comes, from yet another client, in another spelling of the address
    response = _request(client, " ALPHA@example.jp ", "192.0.2.50")

    # then it is refused (429, Retry-After) with what to do, and nothing more is queued
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.PASSWORD_RESET_REQUEST_WINDOW
    assert "受け付けを一時的に停止しています" in response.content.decode()
    assert OutboxMessage.objects.count() == 1
    # and another address is not affected
    assert _request(client, "beta@example.jp", "192.0.2.50").status_code == 302


def test_requests_from_one_client_are_limited(client, db, settings):
    # given ten requests for ten addresses from one client
    settings.PASSWORD_RESET_REQUESTS_PER_CLIENT = 10
    for n in range(10):
        assert _request(client, f"guess{n}@example.jp", "198.51.100.7").status_code == 302

    # when an eleventh comes from there
    response = _request(client, "guess10@example.jp", "198.51.100.7")

    # then it is refused; another client is not
    assert response.status_code == 429
    assert "受け付けを一時的に停止しています" in response.content.decode()
    assert _request(client, "guess10@example.jp", "198.51.100.8").status_code == 302


def _shape(sql: str) -> str:
    """The statement without its values (addresses and keys differ between the two requests)."""
    return re.sub(r"'(?:[^']|'')*'|\"s\w+_x\d+\"|\b\d+\b", "?", sql)


def test_a_known_and_an_unknown_address_get_the_same_answer_and_the_same_work(client, alpha_with_mail):
    # when a reset is asked for a registered address, then for one no account has
    with CaptureQueriesContext(connection) as known_queries:
        known = _request(client, "alpha@example.jp")
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = _request(client, "nobody@example.jp", "192.0.2.2")

    # then the answers are the same
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"]) == (302, SENT)
    # and so is the work: the same statements, none of them reading the accounts
    known_sql = [_shape(query["sql"]) for query in known_queries.captured_queries]
    unknown_sql = [_shape(query["sql"]) for query in unknown_queries.captured_queries]
    assert known_sql == unknown_sql
    assert not any("accounts_user" in sql for sql in known_sql)
    assert OutboxMessage.objects.filter(kind="password_reset").count() == 2


def test_the_mail_for_an_address_no_account_has_is_not_sent(client, alpha_with_mail, smtp_mail):
    # given a request for an unknown address
    _request(client, "nobody@example.jp")

    # when the worker runs
    send_all()

    # then nothing was sent and the row says why
    assert smtp_mail.handler.received == []
    row = OutboxMessage.objects.get()
    assert row.state == "failed"
    assert "no active account" in row.last_error


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_for_one_address_queue_one_mail(user_a, settings):
    # given a registered address and limits high enough to let all requests through
    settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS = 100
    settings.PASSWORD_RESET_REQUESTS_PER_CLIENT = 100
    user_a.email = "alpha@example.jp"
    user_a.save()
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def request() -> None:
        try:
            browser = Client()
            barrier.wait(timeout=60)
            statuses.append(browser.post(RESET, {"email": "alpha@example.jp"}).status_code)
        finally:
            connection.close()

    # when twenty requests come at once
    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then every request got the same answer, and one row (one mail) was queued
    assert statuses == [302] * 20
    assert OutboxMessage.objects.filter(kind="password_reset").count() == 1
