"""Headers, error pages and logs that keep secrets out."""

import logging
import sys

import pytest
from django.test import Client
from django.urls import path

from portal.log_redaction import REDACTED, RedactSecretsFilter, redact_text


def test_every_page_carries_a_strict_content_security_policy_and_frame_protection(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_each_response_carries_a_fresh_request_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 10
    assert first != second


def _boom(request):
    raise RuntimeError("secret internals: password=hunter2")


urlpatterns = [path("boom/", _boom)]
handler500 = "config.errors.server_error"


@pytest.mark.urls("tests.test_security")
def test_a_server_error_shows_an_incident_number_and_no_internals(db, caplog):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "お問い合わせ番号" in body
    assert response["X-Request-ID"] in body
    assert "RuntimeError" not in body
    assert "hunter2" not in body


def test_a_logged_traceback_loses_the_passwords_it_mentions():
    logger = logging.getLogger("portal.test")
    handler_filter = RedactSecretsFilter()
    try:
        raise RuntimeError("login failed: password=hunter2")
    except RuntimeError:
        record = logger.makeRecord("portal.test", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    handler_filter.filter(record)
    formatted = logging.Formatter().format(record)
    assert "RuntimeError" in formatted
    assert "hunter2" not in formatted


def test_a_missing_page_shows_a_friendly_japanese_page_with_its_incident_number(client, db):
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "ページが見つかりません" in body
    assert response["X-Request-ID"] in body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("verify 1070000473 with K5VL4+5QG_KJ", f"verify 1070000473 with {REDACTED}"),
        ("password=correct-horse", f"password={REDACTED}"),
        ("auth_key: R7MX3_P9TD+W", f"auth_key: {REDACTED}"),
        ("contract 1070000473 verified", "contract 1070000473 verified"),
    ],
)
def test_log_text_loses_keys_and_passwords(text, expected):
    assert redact_text(text) == expected


def test_the_log_filter_redacts_messages_arguments_and_extra_fields():
    record = logging.LogRecord(
        "portal", logging.INFO, __file__, 1, "key %s for %s", ("K5VL4+5QG_KJ", "1070000473"), None
    )
    record.auth_key = "K5VL4+5QG_KJ"
    record.contract_number = "1070000473"
    RedactSecretsFilter().filter(record)
    assert record.getMessage() == f"key {REDACTED} for 1070000473"
    assert record.auth_key == REDACTED
    assert record.contract_number == "1070000473"


def test_the_screens_are_japanese_by_default_and_english_on_request(client, db):
    japanese = client.get("/accounts/login/").content.decode()
    assert "ログイン" in japanese
    assert 'lang="ja"' in japanese
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    english = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in english
    assert "Log in" in english
    assert "日本語" in english  # the way back
