"""Every public and contractor screen in Debian's chromium with axe-core (JIS X 8341-3:2016, WCAG 2.x
level AA: no serious or critical finding), at desktop width and at 375 px (no sideways scrolling,
screenshots of both in test-artifacts/screens/), and the keyboard-only walks: login → 保証工事一覧 →
認証キー → copy → PDF, and /verify/ → result."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from demo import brochure
from tests.browser import a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "1070000473"
KEY = "K5VL4+5QG_KJ"


@pytest.fixture
def world(live_server):
    return brochure.seed_brochure()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        **a11y.context_options(permissions=["clipboard-read", "clipboard-write"], accept_downloads=True),
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


def _log_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("ログインID").fill(brochure.DEMO_LOGIN)
    page.get_by_label("パスワード").fill(brochure.DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="保証工事一覧")).to_be_visible()


def test_axe_core_reports_a_field_without_a_label_so_a_clean_page_means_something(page: Page, world):
    # given a portal page with a field that has no label and grey-on-grey text added
    page.goto("/verify/")
    assert a11y.axe_findings(page) == []
    page.evaluate(
        """() => {
          const input = document.createElement('input');
          document.querySelector('main').appendChild(input);
          const faint = document.createElement('p');
          faint.textContent = '読めない文字';
          faint.className = 'faint';
          faint.setAttribute('class', '');
          faint.style.color = '#bbbbbb';
          document.querySelector('main').appendChild(faint);
        }"""
    )
    # then axe-core finds both
    found = {finding["id"] for finding in a11y.axe_findings(page)}
    assert {"label", "color-contrast"} <= found


def test_the_public_screens_pass_axe_core_and_fit_a_phone(page: Page, world):
    for path, name in [
        ("/accounts/login/", "login"),
        ("/accounts/password/reset/", "password-reset"),
        ("/manual/", "manual"),
        ("/verify/", "verify"),
    ]:
        page.goto(path)
        a11y.check_screen(page, "screens", name)

    # the verify form with its errors, and the result of a good number and key
    page.goto("/verify/")
    page.get_by_label("保証契約番号").fill("12345")
    page.get_by_role("button", name="確認する").click()
    expect(page.locator(".verify-field-error").first).to_be_visible()
    a11y.check_screen(page, "screens", "verify-errors")
    page.get_by_label("保証契約番号").fill(NUMBER)
    page.get_by_label("認証キー").fill(KEY)
    page.get_by_role("button", name="確認する").click()
    expect(page).to_have_url(re.compile(r"/verify/result/"))
    a11y.check_screen(page, "screens", "verify-result")


def test_the_contractor_screens_pass_axe_core_and_fit_a_phone(page: Page, world):
    _log_in(page)
    a11y.check_screen(page, "screens", "guarantee-list")
    page.get_by_label("検索語").fill("存在しない工事")
    page.get_by_role("button", name="検索").click()
    a11y.check_screen(page, "screens", "guarantee-list-empty")

    page.goto(f"/certificates/{NUMBER}/")
    a11y.check_screen(page, "screens", "certificate")
    page.goto(f"/certificates/{NUMBER}/print/")
    a11y.check_screen(page, "screens", "certificate-print")
    page.goto(f"/keys/{NUMBER}/")
    a11y.check_screen(page, "screens", "key-before-display")
    page.get_by_role("button", name="表示").click()
    expect(page.get_by_test_id("auth-key")).to_have_text(KEY)
    a11y.check_screen(page, "screens", "key")
    for path, name in [
        ("/applications/", "applications"),
        ("/applications/changes/", "changes"),
        ("/accounts/password/", "password-change"),
        ("/accounts/two-factor/", "two-factor"),
        (f"/verify/history/{NUMBER}/", "verification-history"),
    ]:
        page.goto(path)
        a11y.check_screen(page, "screens", name)


def test_the_list_turns_into_cards_on_a_phone_with_every_value_labelled(page: Page, world):
    _log_in(page)
    page.set_viewport_size(a11y.PHONE)
    row = page.locator("table.guarantee-table tbody tr", has=page.get_by_role("link", name=NUMBER))
    # each cell is a line of its card, under its column's name
    assert row.locator("td").first.evaluate("td => getComputedStyle(td).display") == "grid"
    labels = row.locator("td").evaluate_all("tds => tds.map(td => getComputedStyle(td, '::before').content)")
    assert labels[:3] == ['"種別"', '"証書発行日"', '"保証契約番号"']
    box = row.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= a11y.PHONE_WIDTH
    # and the 表示 button is on screen and works
    row.get_by_role("button", name="表示").click()
    expect(page.get_by_test_id("auth-key")).to_have_text(KEY)


def test_keyboard_only_log_in_list_key_copy_and_pdf(page: Page, world):
    page.goto("/accounts/login/")
    # the login page starts in ログインID (autofocus); else Tab gets there
    if a11y.focused(page)["name"] != "username":
        a11y.tab_to(page, lambda f: f["name"] == "username")
    page.keyboard.type(brochure.DEMO_LOGIN)
    page.keyboard.press("Tab")
    assert a11y.focused(page)["name"] == "password"
    page.keyboard.type(brochure.DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="保証工事一覧")).to_be_visible()
    # on the list, the first Tab stop is the skip link, drawn where the focus is
    page.keyboard.press("Tab")
    assert a11y.focused(page)["text"] == "本文へ移動"
    assert a11y.focused(page)["ring"]

    # 保証契約番号 opens with Enter; back, and 表示 of the same row opens with Space
    a11y.tab_to(page, lambda f: f["tag"] == "a" and f["text"] == NUMBER)
    page.keyboard.press("Enter")
    expect(page.locator("article.certificate")).to_contain_text(NUMBER)
    page.go_back()
    expect(page.get_by_role("heading", name="保証工事一覧")).to_be_visible()
    number_link = page.get_by_role("link", name=NUMBER)
    number_link.focus()
    a11y.tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "表示")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("auth-key")).to_have_text(KEY)

    # copy with Space, then the PDF with Enter
    a11y.tab_to(page, lambda f: f["text"] == "保証契約等の内容をコピー")
    page.keyboard.press("Space")
    expect(page.locator("[data-copy-status]")).to_have_text("保証契約等の内容をコピーしました。")
    assert f"認証キー：{KEY}" in page.evaluate("navigator.clipboard.readText()")
    page.keyboard.press("Shift+Tab")
    while a11y.focused(page)["text"] != "保証契約等の内容をPDF出力":
        page.keyboard.press("Shift+Tab")
        assert a11y.focused(page)["ring"]
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")

    # 閉じる (a link) goes back to the list with Enter
    a11y.tab_to(page, lambda f: f["text"] == "閉じる")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="保証工事一覧")).to_be_visible()


def test_keyboard_only_verification_of_a_number_and_key(page: Page, world):
    page.goto("/verify/")
    a11y.tab_to(page, lambda f: f["id"] == "id_contract_number")
    page.keyboard.type("１０７００００４７３")  # full-width, as an IME types it
    page.keyboard.press("Tab")
    assert a11y.focused(page)["id"] == "id_auth_key"
    page.keyboard.type(KEY.lower())
    a11y.tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "確認する")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/verify/result/"))
    expect(page.locator(".status-banner")).to_be_visible()
    expect(page.locator(".certificate")).to_contain_text(NUMBER)
    # the signed certificate is one Tab stop away from 印刷 and opens with Enter
    a11y.tab_to(page, lambda f: f["text"] == "印刷")
    a11y.tab_to(page, lambda f: f["text"].startswith("保証証書（PDF"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.path().read_bytes().startswith(b"%PDF")


def test_every_portal_page_keeps_scripts_and_styles_in_static_files(page: Page, world):
    # the strict CSP: not one inline script, style element or style attribute on the walked screens
    _log_in(page)
    walked = ["/", f"/certificates/{NUMBER}/", f"/keys/{NUMBER}/", "/verify/", "/applications/", "/manual/"]
    for path in walked:
        response = page.goto(path)
        assert response is not None
        html = response.text()
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, path
        assert "<style" not in html, path
        assert " style=" not in html, path
    assert "'unsafe-inline'" not in str(settings.SECURE_CSP["script-src"])
