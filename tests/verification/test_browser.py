"""The verify page in Debian's Chromium: forgiving input, the banner, and printing."""

from __future__ import annotations

import pytest

from tests.verification.helpers import KEY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal(live_server):
    return live_server.url


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(locale="ja-JP")
    yield context.new_page()
    context.close()


def test_a_clerk_types_full_width_input_sees_the_banner_and_prints_without_the_page_chrome(
    advance, portal, browser_page
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # when the clerk types the number in full width with hyphens and the key in lower case
    page.goto(f"{portal}/verify/")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in advance.number)
    page.fill("#id_contract_number", f"{full_width[:3]}-{full_width[3:]}")
    page.fill("#id_auth_key", KEY.lower())
    page.click("main button[type=submit]")
    # then the certificate and its banner are shown
    page.wait_for_selector(".status-banner")
    assert page.inner_text(".status-label").endswith("有効")
    assert page.is_visible("article.certificate")
    # and 印刷 prints (the button's script is a static file), the header and buttons hidden on paper
    page.evaluate("window.__printed = false; window.print = () => { window.__printed = true; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed") is True
    page.emulate_media(media="print")
    assert not page.is_visible(".site-header")
    assert not page.is_visible(".result-actions")
    assert page.is_visible(".status-banner")
    assert page.is_visible("article.certificate")
    assert errors == []
