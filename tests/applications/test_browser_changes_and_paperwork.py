"""In Debian's chromium: a 減額 corrected before it is submitted and approved as shown; 「発注者へ提出」
on the key screen of a guarantee issued through e-Net; the 使途内訳明細書 re-opened, saved unchanged,
and flagged after a 減額. Screenshots go to test-artifacts/applications/."""
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from applications import services
from applications.models import AdvanceUsePlan, Application
from applications.services import UseRowInput
from guarantees.models import Guarantee
from notifications.models import KeySubmission
from tests.factories import DepartmentFactory, issue_guarantee

from .conftest import PDF_BYTES, REVIEW_PERMS, _staff

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "applications"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page_as(browser, live_server, user):
    """A browser page logged in as ``user`` (the session cookie of a test client login)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context, context.new_page()


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
    application = services.application_create_change(user=user_a, guarantee=issued, purpose="change")
    reviewer = _staff("reviewer", tokyo_branch, REVIEW_PERMS)
    contract = tmp_path / "変更契約書.pdf"
    contract.write_bytes(PDF_BYTES)
    contractor, page = _page_as(browser, live_server, user_a)
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

    services.application_review_start(application=application, clerk=reviewer)
    clerk, admin = _page_as(browser, live_server, reviewer)
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
    context, page = _page_as(browser, live_server, user_a)
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
    context, page = _page_as(browser, live_server, user_a)
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


def test_the_plan_reopens_as_saved_saves_unchanged_and_is_flagged_after_a_decrease(
    live_server, browser, user_a, orderer, tokyo_branch
):
    from playwright.sync_api import expect

    # given a 20,000,000 yen advance and its plan, the labour row's payee and schedule left 未定
    advance = issue_guarantee(
        contractor=user_a.contractor,
        orderer=orderer,
        branch=tokyo_branch,
        concluded_on=dt.date(2026, 6, 1),
        contract_amount_total=50_000_000,
        contract_amount_target=50_000_000,
        guarantee_amount=20_000_000,
    )
    services.use_plan_save(
        guarantee=advance,
        user=user_a,
        rows=[
            UseRowInput(
                category="materials",
                advance_use=12_000_000,
                total_required=30_000_000,
                payout_method="transfer",
                payee="A社",
            ),
            UseRowInput(category="labour", advance_use=8_000_000, payout_method="cash"),
        ],
    )
    context, page = _page_as(browser, live_server, user_a)
    try:
        # when the contractor re-opens the plan
        page.goto(f"/applications/advances/{advance.number}/plan/")
        # then amounts read with separators and 未定 items are blank inputs marked 未定
        expect(page.locator("input[name=rows-0-advance_use]")).to_have_value("12,000,000")
        expect(page.locator("input[name=rows-0-total_required]")).to_have_value("30,000,000")
        expect(page.locator("input[name=rows-1-advance_use]")).to_have_value("8,000,000")
        for name in ("quantity", "total_required", "payout_schedule", "payee"):
            field = page.locator(f"input[name=rows-1-{name}]")
            expect(field).to_have_value("")
            expect(field).to_have_attribute("placeholder", "未定")
        _shot(page, "30-plan-reopened")

        # when they save it unchanged, then it is accepted as revision 2 with the same figures
        page.click("button:has-text('保存する')")
        expect(page.locator("h1")).to_contain_text("第2版")
        plan = AdvanceUsePlan.objects.get(guarantee=advance)
        assert plan.revision == 2
        assert [(row.advance_use, row.total_required, row.payee) for row in plan.rows.all()] == [
            (12_000_000, 30_000_000, "A社"),
            (8_000_000, None, "未定"),
        ]

        # when the advance is decreased to 16,000,000 yen
        Guarantee.objects.filter(pk=advance.pk).update(guarantee_amount=16_000_000)
        # then the plan, the withdrawal and the certificate screens flag the plan
        for path in (
            f"/applications/advances/{advance.number}/plan/",
            f"/applications/advances/{advance.number}/withdrawals/",
            f"/certificates/{advance.number}/",
        ):
            page.goto(path)
            expect(page.locator(".use-plan-excess")).to_contain_text(
                "使途内訳明細書の前払金使用金額の合計（20,000,000円）が前払金額（16,000,000円）を4,000,000円超えています。"
            )
        _shot(page, "31-certificate-plan-over-advance")
    finally:
        context.close()
