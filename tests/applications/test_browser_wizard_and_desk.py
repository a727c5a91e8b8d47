"""The e-Net wizard and the clerk's review desk in Debian's chromium, by keyboard only (Tab, Enter,
Space, arrow keys and typing), with axe-core on every screen (no serious or critical finding) and
screenshots at desktop width and 375 px in test-artifacts/wizard/ and test-artifacts/desk/."""
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from applications.models import Application
from applications.services import review
from tests.browser import a11y
from tests.factories import BankFactory, OrdererFactory

from .conftest import PDF_BYTES, REVIEW_PERMS, _staff

PASSWORD = "correct horse battery staple"
DESK_LOGIN = "/admin/login/?next=/admin/applications/application/desk/"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, **a11y.context_options())
    context.set_default_timeout(10_000)
    return context


def _focus_and_type(page: Page, name: str, text: str) -> None:
    a11y.tab_to(page, lambda f: f["name"] == name)
    page.keyboard.type(text)


def _choose(page: Page, name: str, presses: int = 1) -> None:
    """A select chosen with the arrow keys, as a keyboard user does."""
    a11y.tab_to(page, lambda f: f["name"] == name)
    for _ in range(presses):
        page.keyboard.press("ArrowDown")


def _press_button(page: Page, text: str) -> None:
    """Tab to the button or link named ``text`` and press Enter; it opens the next page."""
    a11y.tab_to(page, lambda f: f["tag"] in ("button", "a", "input") and f["text"] == text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _type_date(page: Page, name: str, iso: str) -> None:
    """A date input typed digit by digit, as Chromium's date field takes it: its segments follow
    the browser's own locale (月/日/年 in Debian's chromium, 年/月/日 in a Japanese one)."""
    a11y.tab_to(page, lambda f: f["name"] == name)
    year, month, day = iso.split("-")
    field = page.locator(f"input[name={name}]")
    for order in (month + day + year, year + month + day):
        page.keyboard.type(order)
        if field.input_value() == iso:
            return
        # back to the field's first segment and try the other order
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
    raise AssertionError(f"{name} reads {field.input_value()!r}, not {iso}")


def _log_in_by_keyboard(page: Page, path: str, username: str) -> None:
    page.goto(path)
    if a11y.focused(page)["name"] != "username":
        a11y.tab_to(page, lambda f: f["name"] == "username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")


# "Today" is 2026-07-01 10:00 in Tokyo for the applications tests (tests/applications/conftest.py).
def test_a_contractor_walks_the_wizard_by_keyboard_and_every_step_passes_axe(
    live_server, browser, user_a, orderer, tokyo_branch, tmp_path
):
    BankFactory()
    for n in range(3):
        OrdererFactory(title=f"鹿児島県 第{n + 1}土木事務所長", organisation=f"鹿児島県 第{n + 1}土木事務所")
    contract = tmp_path / "請負契約書.pdf"
    contract.write_bytes(PDF_BYTES)
    context = _context(browser, live_server)
    page = context.new_page()
    try:
        _log_in_by_keyboard(page, "/accounts/login/", user_a.username)
        expect(page.get_by_role("heading", name="保証工事一覧")).to_be_visible()
        _press_button(page, "保証の申込")
        expect(page.get_by_role("heading", name="保証の申込")).to_be_visible()
        a11y.check_screen(page, "wizard", "00-applications")
        _press_button(page, "前払金保証")
        expect(page).to_have_url(re.compile(r"/applications/\d+/step/kind/"))
        application_id = int(re.search(r"/applications/(\d+)/", page.url).group(1))

        # 区分・発注者: the orderers are listed before any search
        radios = page.locator("input[name=orderer]")
        expect(radios).to_have_count(4)
        a11y.check_screen(page, "wizard", "01-kind")
        # 保存して次へ with nothing chosen stays here and says what is missing, by the fields
        _press_button(page, "保存して次へ")
        expect(page.locator(".app-field.has-error")).to_have_count(2)
        expect(page.locator("form.app-form")).to_contain_text("取扱支店を選んでください。")
        expect(page.locator("form.app-form")).to_contain_text("発注者を選んでください。")
        a11y.check_screen(page, "wizard", "01-kind-errors")
        # a search narrows the list; Enter in the box searches
        _focus_and_type(page, "q", orderer.organisation[:4])
        page.keyboard.press("Enter")
        expect(radios).to_have_count(1)
        _choose(page, "branch")
        a11y.tab_to(page, lambda f: f["name"] == "orderer")
        page.keyboard.press("Space")
        expect(radios.first).to_be_checked()
        _press_button(page, "保存して次へ")

        # 工事
        expect(page).to_have_url(re.compile(r"/step/work/"))
        _focus_and_type(page, "work_name", "国道〇号線 道路改良工事 その2")
        page.keyboard.press("Tab")
        page.keyboard.type("大阪府大阪市")
        _type_date(page, "contract_date", "2026-06-20")
        _type_date(page, "construction_start", "2026-06-21")
        _press_button(page, "保存して次へ")
        # the missing 工期末日 is named on this step, not on 確認
        expect(page.locator("form.app-form")).to_contain_text("工期末日を入力してください。")
        a11y.check_screen(page, "wizard", "02-work-errors")
        _type_date(page, "construction_end", "2027-03-15")
        _press_button(page, "保存して次へ")

        # 金額: the quote follows the typing
        expect(page).to_have_url(re.compile(r"/step/amounts/"))
        _focus_and_type(page, "contract_amount_total", "１００，０００，０００")
        _focus_and_type(page, "guarantee_amount", "40000000")
        expect(page.locator("#fee-quote")).to_contain_text("23,800円")
        a11y.check_screen(page, "wizard", "03-amounts")
        _press_button(page, "保存して次へ")

        # 預託金融機関
        expect(page).to_have_url(re.compile(r"/step/account/"))
        _choose(page, "bank")
        _choose(page, "account_type")
        _focus_and_type(page, "account_number", "１２３-４５６７")
        _focus_and_type(page, "account_holder", "カ）アルファケンセツ")
        a11y.check_screen(page, "wizard", "04-account")
        _press_button(page, "保存して次へ")

        # 書類: the file itself comes from the system's file chooser (outside the page)
        expect(page).to_have_url(re.compile(r"/documents/"))
        _choose(page, "doc_type", presses=0)
        page.set_input_files("input[name=file]", str(contract))
        _press_button(page, "アップロード")
        expect(page.locator("main")).to_contain_text("請負契約書.pdf")
        a11y.check_screen(page, "wizard", "05-documents")
        _press_button(page, "確認へ進む")

        # 確認 shows amounts with 円 and the fee; 申し込む with Enter
        expect(page.get_by_role("heading", name="申込内容の確認")).to_be_visible()
        expect(page.locator(".app-summary")).to_contain_text("100,000,000円")
        expect(page.locator(".app-summary")).to_contain_text("40,000,000円")
        expect(page.locator(".app-fee")).to_contain_text("23,800円")
        a11y.check_screen(page, "wizard", "06-confirm")
        _press_button(page, "申し込む")
        expect(page.locator(".app-state")).to_have_text("申込済")
        a11y.check_screen(page, "wizard", "07-detail")
        # the header keeps one line of the portal's own links at desktop width
        header = page.locator(".site-header-inner").bounding_box()
        assert header["height"] < 60
    finally:
        context.close()
    application = Application.objects.get(pk=application_id)
    assert application.state == Application.State.SUBMITTED
    assert (application.guarantee_amount, application.account_number) == (40_000_000, "1234567")


def test_a_clerk_works_the_review_desk_by_keyboard_and_every_page_passes_axe(
    live_server, browser, submitted, tokyo_branch
):
    reviewer = _staff("deskclerk", tokyo_branch, REVIEW_PERMS)
    context = _context(browser, live_server)
    page = context.new_page()
    try:
        _log_in_by_keyboard(
            page, "/admin/login/?next=/admin/applications/application/desk/", reviewer.username
        )
        expect(page.get_by_role("heading", name="審査デスク")).to_be_visible()
        card = page.locator(".desk-card")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("契約書.pdf")
        expect(card).to_contain_text("23,800円")
        expect(card).to_contain_text("40,000,000円")
        a11y.check_screen(page, "desk", "01-desk")

        steps = [
            ("審査を開始する", "02-review", {}),
            ("承認する", "03-approve", {}),
            ("保証料の入金を記録する", "04-fee", {"amount": "23,800"}),
            ("発行する", "05-issue", {}),
        ]
        for button, name, typed in steps:
            _press_button(page, button)
            expect(page.get_by_role("heading", name="この操作で次のことを行います")).to_be_visible()
            for field, text in typed.items():
                _focus_and_type(page, field, text)
            a11y.check_screen(page, "desk", name)
            _press_button(page, button)
            expect(page.get_by_role("heading", name="審査デスク")).to_be_visible()
            expect(page.locator(".messagelist")).to_be_visible()
        expect(page.locator("main, #content").first).to_contain_text("審査を待つ申込はありません。")
        a11y.check_screen(page, "desk", "06-desk-done")

        # the application's own page: read-only, no 保存, amounts with 円
        page.goto(f"/admin/applications/application/{submitted.pk}/change/")
        expect(page.locator("input[name=_save]")).to_have_count(0)
        expect(page.locator("#content")).to_contain_text("40,000,000円")
        a11y.check_screen(page, "desk", "07-application", phone=False)
    finally:
        context.close()
    submitted.refresh_from_db()
    assert submitted.state == Application.State.ISSUED
    assert submitted.guarantee is not None


def test_a_wrong_fee_on_the_desk_keeps_what_was_typed(live_server, browser, submitted, tokyo_branch):

    reviewer = _staff("feeclerk", tokyo_branch, REVIEW_PERMS)
    review.application_review_start(application=submitted, clerk=reviewer)
    review.application_approve(application=submitted, clerk=reviewer)
    context = _context(browser, live_server)
    page = context.new_page()
    try:
        _log_in_by_keyboard(
            page, "/admin/login/?next=/admin/applications/application/desk/", reviewer.username
        )
        expect(page.get_by_role("heading", name="審査デスク")).to_be_visible()
        _press_button(page, "保証料の入金を記録する")
        _focus_and_type(page, "amount", "24,000")
        _press_button(page, "保証料の入金を記録する")
        expect(page.locator(".errorlist")).to_contain_text("一致しません")
        expect(page.locator("input[name=amount]")).to_have_value("24,000")
        a11y.check_screen(page, "desk", "04-fee-wrong")
    finally:
        context.close()
