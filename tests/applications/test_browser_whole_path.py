"""The whole e-Net path in Debian's chromium: a contractor applies, a clerk reviews, approves, records
the fee and issues, the contractor sees the certificate and the key, and an orderer verifies them."""
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import re
from pathlib import Path

import pytest

from applications.models import Application
from tests.factories import BankFactory

from .conftest import PDF_BYTES, REVIEW_PERMS, _staff

PASSWORD = "correct horse battery staple"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "applications"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base: str, path: str, username: str) -> None:
    page.goto(f"{base}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main [type=submit]")


# "Today" is 2026-07-01 10:00 in Tokyo for the applications tests (tests/applications/conftest.py).
def test_a_contractor_applies_a_clerk_issues_and_an_orderer_verifies_the_key(
    live_server, browser, user_a, orderer, tokyo_branch, tmp_path
):
    from playwright.sync_api import expect

    bank = BankFactory()
    reviewer = _staff("reviewer", tokyo_branch, REVIEW_PERMS)
    base = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    contract = tmp_path / "請負契約書.pdf"
    contract.write_bytes(PDF_BYTES)

    # --- the contractor applies in steps ---
    contractor = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    page = contractor.new_page()
    _log_in(page, base, "/accounts/login/", user_a.username)
    page.wait_for_url(f"{base}/")
    page.click("nav >> text=保証の申込")
    page.click("form.app-inline button:has-text('前払金保証')")
    page.wait_for_url(re.compile(r"/applications/\d+/step/kind/"))
    application_id = int(re.search(r"/applications/(\d+)/", page.url).group(1))
    page.fill("#orderer-q", orderer.organisation[:4])
    page.click("form.app-search button")
    page.select_option("select[name=branch]", str(tokyo_branch.pk))
    page.check(f"input[name=orderer][value='{orderer.pk}']")
    page.click("text=保存して次へ")

    page.fill("input[name=work_name]", "国道〇号線 道路改良工事 その2")
    page.fill("input[name=work_place]", "大阪府大阪市")
    page.fill("input[name=contract_date]", "2026-06-20")
    page.fill("input[name=construction_start]", "2026-06-21")
    page.fill("input[name=construction_end]", "2027-03-15")
    page.click("text=保存して次へ")

    page.fill("input[name=contract_amount_total]", "１００，０００，０００")
    page.fill("input[name=guarantee_amount]", "40,000,000")
    expect(page.locator("#fee-quote")).to_contain_text("23,800円")
    page.click("text=保存して次へ")

    page.select_option("select[name=bank]", str(bank.pk))
    page.select_option("select[name=account_type]", "ordinary")
    page.fill("input[name=account_number]", "１２３-４５６７")
    page.fill("input[name=account_holder]", "カ）アルファケンセツ")
    page.click("text=保存して次へ")

    page.select_option("select[name=doc_type]", "contract")
    page.set_input_files("input[name=file]", str(contract))
    page.click("button:has-text('アップロード')")
    expect(page.locator("body")).to_contain_text("請負契約書")
    page.click("text=確認へ進む")
    expect(page.locator("body")).to_contain_text("23,800円")
    page.screenshot(path=str(ARTIFACTS / "01-confirm.png"), full_page=True)
    page.click("button:has-text('申し込む')")
    expect(page.locator("body")).to_contain_text("申込済")

    # --- the clerk reviews, approves, records the fee and issues in admin ---
    clerk = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    admin = clerk.new_page()
    _log_in(admin, base, "/admin/login/?next=/admin/", reviewer.username)
    change_url = f"{base}/admin/applications/application/{application_id}/change/"
    for action, fill in [
        ("審査を開始", {}),
        ("承認", {}),
        ("保証料の入金を記録", {"amount": "23,800", "paid_on": "2026-07-01"}),
        ("発行", {}),
    ]:
        admin.goto(change_url)
        admin.click(f".object-tools >> text={action}")
        for name, value in fill.items():
            admin.fill(f"[name={name}]", value)
        expect(admin.locator(".confirm-box")).to_contain_text("この操作で次のことを行います")
        admin.click(".confirm-actions button[type=submit]")
        admin.wait_for_url(re.compile(r"/change/$"))
    admin.screenshot(path=str(ARTIFACTS / "02-admin-issued.png"), full_page=True)
    application = Application.objects.select_related("guarantee").get(pk=application_id)
    assert application.state == Application.State.ISSUED
    number = application.guarantee.number

    # --- the contractor sees the certificate and displays the key ---
    page.goto(f"{base}/")
    expect(page.locator("table.guarantee-table")).to_contain_text(number)
    page.click(f"text={number}")
    expect(page.locator(".certificate")).to_contain_text("国道〇号線 道路改良工事 その2")
    expect(page.locator(".certificate")).to_contain_text("40,000,000")
    page.goto(f"{base}/keys/{number}/")
    page.click("button:has-text('表示')")
    key = page.locator("[data-testid=auth-key]").inner_text().strip()
    assert len(key) == 12
    page.screenshot(path=str(ARTIFACTS / "03-key.png"), full_page=True)

    # --- an orderer verifies the number and key ---
    orderer_context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    verify = orderer_context.new_page()
    verify.goto(f"{base}/verify/")
    verify.fill("#id_contract_number", number)
    verify.fill("#id_auth_key", key.lower())
    verify.click("main button[type=submit]")
    verify.wait_for_url(re.compile(r"/verify/result/"))
    expect(verify.locator(".status-banner")).to_contain_text("有効")
    expect(verify.locator(".certificate")).to_contain_text("国道〇号線 道路改良工事 その2")
    verify.screenshot(path=str(ARTIFACTS / "04-verified.png"), full_page=True)
    for context in (contractor, clerk, orderer_context):
        context.close()
