"""In Debian's chromium: a 減額 corrected before it is submitted and approved as shown; 「発注者へ提出」
on the key screen of a guarantee issued through e-Net. Screenshots go to test-artifacts/applications/."""
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from applications.models import Application
from applications.services import drafts, review
from notifications.models import KeySubmission
from tests.browser.login import page_as
from tests.factories import DepartmentFactory, issue_guarantee

from .conftest import PDF_BYTES, REVIEW_PERMS, _staff

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "applications"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# "Today" is 2026-07-01 10:00 in Tokyo for the applications tests (tests/applications/conftest.py).
def test_a_decrease_is_corrected_before_submission_and_the_clerk_approves_what_was_shown(
    live_server, browser, user_a, orderer, tokyo_branch, tmp_path
):
    from playwright.sync_api import expect

    # given an issued advance of 40,000,000 yen on a 100,000,000 yen contract, and a change begun
    issued = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 6, 1)
    )
    application = drafts.application_create_change(user=user_a, guarantee=issued, purpose="change")
    reviewer = _staff("reviewer", tokyo_branch, REVIEW_PERMS)
    contract = tmp_path / "変更契約書.pdf"
    contract.write_bytes(PDF_BYTES)
    contractor, page = page_as(browser, live_server, user_a)
    try:
        # the change form starts from the guarantee as it is
        page.goto(f"/applications/{application.pk}/step/change/")
        expect(page.locator("input[name=guarantee_amount]")).to_have_value("40,000,000")
        expect(page.locator("input[name=contract_amount_total]")).to_have_value("100,000,000")
        expect(page.locator("input[name=contract_amount_target]")).to_have_value("100,000,000")
        _shot(page, "10-change-prefilled")

        # when the contractor lowers 総額 and blanks 対象額
        page.select_option("select[name=change_type]", "decrease")
        page.fill("input[name=guarantee_amount]", "３０，０００，０００")
        page.fill("input[name=contract_amount_total]", "75,000,000")
        page.fill("input[name=contract_amount_target]", "")
        page.fill("input[name=reason]", "設計変更による減額")
        page.click("text=保存して次へ")

        # then the change step itself says what the approval would refuse, at 対象額, keeping the input
        expect(page.locator("body")).to_contain_text("請負金額(対象額)は請負金額(総額)以下にしてください。")
        expect(page.locator("input[name=guarantee_amount]")).to_have_value("３０，０００，０００")
        _shot(page, "11-change-step-problem")

        # when they correct 対象額 and go on
        page.fill("input[name=contract_amount_target]", "75,000,000")
        page.click("text=保存して次へ")
        page.select_option("select[name=doc_type]", "contract")
        page.set_input_files("input[name=file]", str(contract))
        page.click("button:has-text('アップロード')")
        page.click("text=確認へ進む")

        # then before → after shows the three amounts that change, and they submit
        table = page.locator("table.app-before-after")
        expect(table.locator("tr.is-changed")).to_have_count(3)
        expect(table).to_contain_text("100,000,000円")
        expect(table).to_contain_text("75,000,000円")
        _shot(page, "12-change-confirm-before-after")
        page.click("button:has-text('申し込む')")
        expect(page.locator("body")).to_contain_text("申込済")
    finally:
        contractor.close()

    review.application_review_start(application=application, clerk=reviewer)
    clerk, admin = page_as(browser, live_server, reviewer)
    try:
        # the clerk's approval page shows the same before → after
        admin.goto(f"/admin/applications/application/{application.pk}/approve/")
        expect(admin.locator("table.desk-changes")).to_contain_text("75,000,000円")
        expect(admin.locator("table.desk-changes strong")).to_have_count(3)
        _shot(admin, "13-admin-approve-before-after")
        admin.locator("form [type=submit]").last.click()
        admin.wait_for_url(f"**/admin/applications/application/{application.pk}/change/")
    finally:
        clerk.close()
    issued.refresh_from_db()
    assert (issued.guarantee_amount, issued.contract_amount_total, issued.contract_amount_target) == (
        30_000_000,
        75_000_000,
        75_000_000,
    )
    assert Application.objects.get(pk=application.pk).state == Application.State.ISSUED


def test_the_first_press_of_submit_on_the_key_screen_of_an_e_net_guarantee_works(
    live_server, browser, user_a, orderer, tokyo_branch
):
    from playwright.sync_api import expect

    # given a guarantee issued through e-Net: no department on it; the orderer has one
    DepartmentFactory(orderer=orderer, name="建設課", email="kensetsu@city.example.lg.jp")
    guarantee = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 6, 1)
    )
    assert guarantee.orderer_department_id is None
    context, page = page_as(browser, live_server, user_a)
    try:
        page.goto(f"/keys/{guarantee.number}/")
        page.click("button:has-text('表示')")
        # when the contractor presses 「発注者へ提出」 once
        page.click("form.submit-to-orderer button:has-text('発注者へ提出')")
        # then the key went to the department, with no error on the way
        expect(page.locator("body")).to_contain_text("建設課 へ認証キーを提出しました")
        expect(page.locator("body")).not_to_contain_text("提出先の部署が登録されていません")
        _shot(page, "20-key-submitted-first-press")
    finally:
        context.close()
    assert KeySubmission.objects.get(guarantee=guarantee).to == "kensetsu@city.example.lg.jp"


def test_with_several_departments_the_first_press_opens_the_choice_and_the_key_goes_to_the_one_chosen(
    live_server, browser, user_a, orderer, tokyo_branch
):
    from playwright.sync_api import expect

    DepartmentFactory(orderer=orderer, name="建設課", email="kensetsu@city.example.lg.jp")
    keiyaku = DepartmentFactory(orderer=orderer, name="契約検査課", email="keiyaku@city.example.lg.jp")
    guarantee = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 6, 1)
    )
    context, page = page_as(browser, live_server, user_a)
    try:
        page.goto(f"/keys/{guarantee.number}/")
        page.click("button:has-text('表示')")
        page.click("form.submit-to-orderer button:has-text('発注者へ提出')")
        # the choice, not an error
        expect(page.locator("select[name=department]")).to_be_visible()
        expect(page.locator("body")).to_contain_text("提出先の部署を選んでください。")
        expect(page.locator("body")).not_to_contain_text("提出先の部署が登録されていません")
        _shot(page, "21-key-submit-choice")
        page.select_option("select[name=department]", str(keiyaku.pk))
        page.click("main button:has-text('発注者へ提出')")
        # back on the key screen it came from, with the submission recorded
        page.wait_for_url(f"**/keys/{guarantee.number}/")
        expect(page.locator("body")).to_contain_text("契約検査課 へ認証キーを提出しました")
    finally:
        context.close()
    assert KeySubmission.objects.get(guarantee=guarantee).to == "keiyaku@city.example.lg.jp"
