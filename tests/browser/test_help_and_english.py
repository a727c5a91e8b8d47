"""The help a first-time user reads in Debian's chromium: the login page's notes, the manual's
sections for contractors, the signature help the orderer's receipt points to; and English screens
that say English while Japanese screens say Japanese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from demo.brochure import seed_brochure
from tests.browser.test_portal_browser import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANUAL_SECTIONS = [
    "5. 認証キーの提出（PDF出力・発注者へ提出）",
    "6. 保証の申込（e-Net保証）",
    "7. 前払金使途内訳明細書",
    "8. 前払金払出依頼書",
]
ADVANCE_CLAIM = (
    "前払金を請求する場合は、認証キーの提出とは別に、従来どおり前払金請求書を発注者へ提出してください。"
)
ENET_ID = (
    "当社ホームページから利用申込書をダウンロードし、必要事項をご記入・押印の上、"
    "お取引の支店へFAXでお送りください。"
)


@pytest.fixture
def brochure(live_server):
    return seed_brochure()


def test_the_login_page_and_the_manual_tell_a_new_contractor_what_the_brochure_says(
    page: Page, screenshot, brochure
):
    # when a contractor without an ID opens the login page
    page.goto("/accounts/login/")
    notes = page.locator(".login-notes")

    # then it says how to get the e-Net ID (a FAXed form) and that the 前払金請求書 is still needed
    expect(notes).to_contain_text(ENET_ID)
    expect(notes.get_by_role("link", name="https://www.wjcs.net/enet/enet.php")).to_be_visible()
    expect(notes).to_contain_text(ADVANCE_CLAIM)
    screenshot("20-login-notes")

    # when the manual is opened from the header
    page.get_by_role("link", name="マニュアル").click()
    manual = page.locator("article.manual")

    # then it has the sections on applying, the advance's paperwork, PDFs and submission
    for heading in MANUAL_SECTIONS:
        expect(manual.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(page.locator("nav.toc").get_by_role("link", name=heading.split(". ", 1)[1])).to_be_visible()
    expect(manual.locator("#submit")).to_contain_text("保証契約等の内容をPDF出力")
    expect(manual.locator("#submit")).to_contain_text("発注者へ提出")
    expect(manual.locator("#advance-claim")).to_have_text(ADVANCE_CLAIM)
    expect(manual.locator("#enet-id")).to_contain_text(ENET_ID)
    expect(manual.locator("#faq")).to_contain_text("どの書類をPDFで出力できますか。")
    screenshot("21-manual")

    # when the reader follows the signature help link from the orderers' section
    page.locator("#orderer").get_by_role("link", name="電子署名の確かめ方").click()

    # then the help page explains the signature, the reader and the hash commands
    expect(page).to_have_url(re.compile(r"/manual/signature/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("電子署名の確かめ方")
    expect(page.locator("#reader")).to_contain_text("署名パネル")
    expect(page.locator("#changed")).to_contain_text("署名の後にPDFが変更されると")
    expect(page.locator("#sha256 code")).to_have_text(
        ["certutil -hashfile x.pdf SHA256", "shasum -a 256 x.pdf", "sha256sum x.pdf"]
    )
    screenshot("22-signature-help")


def test_an_orderer_reaches_the_signature_help_from_the_verification_result(page: Page, brochure):
    # given the orderer verified the brochure's certificate
    page.goto("/verify/")
    page.fill("#id_contract_number", "1070000473")
    page.fill("#id_auth_key", "K5VL4+5QG_KJ")
    page.click("main button[type=submit]")
    expect(page.locator(".status-banner")).to_be_visible()

    # when they follow the help link beside the downloads
    page.get_by_role("link", name="電子署名とSHA-256の確かめ方").click()

    # then the help page opens
    expect(page.get_by_role("heading", level=1)).to_have_text("電子署名の確かめ方")


def test_english_screens_say_english_and_japanese_screens_say_japanese(page: Page, screenshot, brochure):
    # given the contractor logged in, on the new application's first step in Japanese
    _log_in(page)
    page.get_by_role("link", name="保証の申込").first.click()
    page.locator(".app-new button").first.click()
    branch = page.get_by_label("取扱支店")

    # then the select's empty choice is Japanese
    expect(branch.locator("option").first).to_have_text("選択してください")

    # when the screens are switched to English
    page.get_by_role("button", name="English").click()

    # then the same choice is English
    expect(page.get_by_label("Handling branch").locator("option").first).to_have_text("Select an option")

    # and the key screen names one key in the singular
    page.goto("/")
    row = page.locator("table.guarantee-table tbody tr", has=page.get_by_role("link", name="1070000473"))
    row.get_by_role("button", name="Show").click()
    expect(page.locator("table.key-table th", has_text=re.compile("^Authentication key$"))).to_have_count(1)
    expect(page.get_by_text("Authentication keys")).to_have_count(0)
    screenshot("23-key-screen-english")
