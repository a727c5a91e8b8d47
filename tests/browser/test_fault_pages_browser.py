"""In Chromium: a key in the /verify/ address is dropped with a message (the QR link's fragment still
fills the form), and a NUL byte in the list's search shows the Japanese 400 page."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.factories import UserFactory, issue_guarantee

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "R7MX3_P9TD+W"


def test_a_key_in_the_verify_address_is_dropped_and_the_orderer_is_told_to_type_it(
    page, screenshot, contractor_a
):
    guarantee = issue_guarantee(contractor=contractor_a, key=KEY)

    # when an orderer opens a link with the key in the query
    page.goto(f"/verify/?number={guarantee.number}&key={KEY.replace('+', '%2B')}")

    # then the address has lost the key, the number is filled in, the message asks to type the key
    assert page.url.endswith(f"/verify/?number={guarantee.number}")
    assert page.locator("#id_contract_number").input_value() == guarantee.number
    assert page.locator("#id_auth_key").input_value() == ""
    assert "下の欄に入力してください" in page.locator(".messages").inner_text()
    assert KEY not in page.content()
    screenshot("verify-key-in-address-dropped")

    # and the QR link's own form (the key in the fragment) still fills the key in the browser only
    page.goto("about:blank")
    page.goto(f"/verify/?number={guarantee.number}#key={quote(KEY, safe='')}")
    assert page.locator("#id_auth_key").input_value() == KEY
    assert "#key=" not in page.url


def test_a_nul_byte_in_the_lists_search_shows_the_japanese_400_page(page, screenshot, contractor_a):
    UserFactory(username="nul-tester", contractor=contractor_a)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "nul-tester")
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    assert page.locator("[data-testid=account-name]").is_visible()

    response = page.goto("/?q=%00abc")

    assert response is not None
    assert response.status == 400
    assert "NUL 文字" in page.locator("main").inner_text()
    screenshot("search-nul-byte-400")
