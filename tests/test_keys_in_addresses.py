"""A key typed into an address (``?key=…``): dropped by /verify/, redacted in every log line (Django's
request warnings and gunicorn's access line, also url-encoded), and never echoed by the language
switcher."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from gunicorn.config import Config

from config import gunicorn as gunicorn_settings
from config.gunicorn_logging import RedactingLogger
from portal.log_redaction import REDACTED, RedactSecretsFilter, redact_text

KEY = "R7MX3_P9TD+W"
NUMBER = "1070000473"
ENCODED_FORMS = ["R7MX3_P9TD+W", "R7MX3_P9TD%2BW", "R7MX3%5fP9TD%2bW", "r7mx3_p9td+w", "R7MX-3_P9-TD+W"]


@pytest.fixture
def portal_log() -> Iterator[io.StringIO]:
    """The portal's own console handler (JSON, redaction filter), writing into a buffer."""
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    ]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


# --- /verify/ drops a key given in its query --------------------------------------------------------


@pytest.mark.parametrize("name", ["key", "auth_key"])
def test_a_key_in_the_verify_address_is_dropped_with_a_message_and_the_number_kept(client, db, name):
    # when an orderer opens /verify/ with the key in the query (a hand-made or mangled QR link)
    response = client.get("/verify/", {"number": NUMBER, name: KEY})

    # then the portal redirects to the same page without the key, the number kept
    assert response.status_code == 303
    assert response["Location"] == f"/verify/?number={NUMBER}"
    # and the page tells the orderer to type the key; the key is nowhere on it
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "認証キーはアドレス（URL）に含めず、下の欄に入力してください" in body
    assert KEY not in body
    assert "R7MX3" not in body
    assert f'value="{NUMBER}"' in body


def test_a_key_in_the_verify_address_without_a_number_redirects_to_the_bare_page(client, db):
    response = client.get("/verify/", {"key": KEY})
    assert response.status_code == 303
    assert response["Location"] == "/verify/"
    assert [str(m) for m in get_messages(response.wsgi_request)]


def test_the_qr_links_address_with_the_key_in_the_fragment_is_served_as_is(client, db):
    # the fragment never reaches the server: /verify/?number=… is the whole request
    response = client.get("/verify/", {"number": NUMBER})
    assert response.status_code == 200
    assert f'value="{NUMBER}"' in response.content.decode()


# --- Log lines ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ENCODED_FORMS)
def test_a_key_in_a_logged_address_is_redacted_in_every_encoding(written):
    line = f"GET /verify/?number={NUMBER}&key={written} HTTP/1.1"
    redacted = redact_text(line)
    assert redacted == f"GET /verify/?number={NUMBER}&key={REDACTED} HTTP/1.1"


@pytest.mark.parametrize("written", ["R7MX3_P9TD%2BW", "R7MX3%5fP9TD%2bW"])
def test_a_url_encoded_key_standing_alone_is_redacted(written):
    assert redact_text(f"/somewhere/{written}/") == f"/somewhere/{REDACTED}/"


def test_a_key_inside_an_encoded_next_address_is_redacted():
    line = "/accounts/login/?next=/verify/%3Fnumber%3D1070000473%26key%3Dr7mx3-p9td+w"
    assert redact_text(line) == f"/accounts/login/?next=/verify/%3Fnumber%3D1070000473%26key%3D{REDACTED}"


def test_ordinary_addresses_are_logged_unchanged():
    line = "GET /?q=%E8%88%97%E8%A3%85&page=2&status=active HTTP/1.1"
    assert redact_text(line) == line


@pytest.mark.parametrize("written", ENCODED_FORMS)
def test_the_405_warning_of_a_verify_address_with_a_key_keeps_the_key_out_of_the_log(
    client, db, portal_log, written
):
    # when someone sends a method /verify/ does not allow, with a key in the query
    response = client.generic("DELETE", f"/verify/?number={NUMBER}&key={written}")

    # then Django's warning is written, and neither it nor its request field carries the key
    assert response.status_code == 405
    output = portal_log.getvalue()
    assert "Method Not Allowed" in output
    assert "/verify/" in output
    for form in ENCODED_FORMS:
        assert form not in output
        assert form.upper() not in output
    assert "R7MX3" not in output.upper()


def test_gunicorns_access_line_keeps_the_key_out():
    # given gunicorn's logger as config/gunicorn.py sets it up
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", gunicorn_settings.access_log_format)
    config.set("logger_class", gunicorn_settings.logger_class)
    assert config.logger_class is RedactingLogger
    logger = RedactingLogger(config)
    raw_uri = f"/verify/?number={NUMBER}&key=R7MX3_P9TD%2BW"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": "/verify/",
        "QUERY_STRING": raw_uri.split("?", 1)[1],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.10",
        "HTTP_REFERER": f"https://portal.example.jp/verify/?key={KEY}",
    }
    response = SimpleNamespace(status="303 See Other", sent=0, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    records: list[logging.LogRecord] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    capture = Capture()
    logger.access_log.addHandler(capture)

    # when a request is logged
    try:
        logger.access(response, request, environ, dt.timedelta(milliseconds=3))
    finally:
        logger.access_log.removeHandler(capture)

    # then the access line shows the address with the key redacted
    [record] = records
    line = record.getMessage()
    assert line == f'192.0.2.10 "GET /verify/?number={NUMBER}&key={REDACTED} HTTP/1.1" 303 0 3ms'
    assert "R7MX3" not in line


# --- The language switcher ---------------------------------------------------------------------------


def test_the_language_switcher_returns_to_the_page_without_a_key_in_its_query(client, db):
    # when a page is opened with a key-like parameter in the query
    response = client.get("/accounts/login/", {"next": "/", "auth_key": KEY, "token": "secret-token"})

    # then the switcher's next field keeps the harmless parameters and drops the secrets
    body = response.content.decode()
    [next_value] = re.findall(r'class="language-form">.*?name="next" value="([^"]*)"', body, re.S)
    assert next_value == "/accounts/login/?next=%2F"
    assert "R7MX3" not in body
    assert "secret-token" not in body
