"""From the certificate screen a contractor downloads the signed 証書PDF and, for an advance, opens
its 前払金使途内訳明細書 and 前払金払出依頼書, also once the guarantee period has ended."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from demo.brochure import seed_brochure
from tests.browser.test_portal_browser import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def brochure(live_server):
    return seed_brochure()


def test_the_certificate_screen_of_an_expired_advance_links_its_pdf_plan_and_withdrawals(
    page: Page, screenshot, brochure
):
    # given the contractor on the certificate of the brochure's 前払金保証, whose period ended
    _log_in(page)
    page.get_by_role("link", name="1070000473").click()
    expect(page.locator(".status-line")).to_contain_text("保証期間満了")
    side = page.locator(".certificate-side")
    screenshot("10-certificate-links")

    # when 証書PDF is pressed, then the signed PDF of the version shown downloads
    with page.expect_download() as download_info:
        side.get_by_role("link", name="証書PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/ByteRange" in data  # a signature dictionary: the PDF carries the guarantor's signature

    # when 使途内訳明細書 is pressed, then its page opens for this guarantee
    side.get_by_role("link", name="使途内訳明細書").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("前払金使途内訳明細書")
    expect(page.locator(".app-summary")).to_contain_text("1070000473")
    page.go_back()

    # when 払出依頼 is pressed, then the withdrawal page opens for this guarantee
    side.get_by_role("link", name="払出依頼").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("前払金払出依頼書")
    expect(page.locator(".app-summary")).to_contain_text("1070000473")


def test_the_certificate_screen_of_a_contract_guarantee_has_the_pdf_but_no_advance_paperwork(
    page: Page, brochure
):
    # given the brochure's 契約保証
    _log_in(page)
    page.get_by_role("link", name="1070200236").click()
    side = page.locator(".certificate-side")

    # then 証書PDF is there, and the advance's paperwork is not (a 契約保証 has no advance)
    expect(side.get_by_role("link", name="証書PDF")).to_be_visible()
    expect(side.get_by_role("link", name="使途内訳明細書")).to_have_count(0)
    expect(side.get_by_role("link", name="払出依頼")).to_have_count(0)
