"""In Debian's chromium: the 使途内訳明細書 re-opened, saved unchanged, and flagged after a 減額 on
the plan, withdrawal and certificate screens. Screenshots go to test-artifacts/advances/."""
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from advances import services
from advances.models import AdvanceUsePlan
from advances.services import UseRowInput
from guarantees.models import Guarantee
from tests.browser.login import page_as
from tests.factories import issue_guarantee

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "advances"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


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
    context, page = page_as(browser, live_server, user_a)
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
