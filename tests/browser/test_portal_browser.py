"""The contractor's day in a real browser: log in, search, page, certificate, key, copy, log out."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from authkeys.audit_actions import AUTHKEY_DISPLAYED
from demo import brochure
from guarantees.models import AuditEvent, Guarantee
from tests.browser.conftest import ARTIFACTS
from tests.factories import OrdererFactory, issue_guarantee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORK_NAME = (
    "一級河川大淀川水系本庄川広域河川改修事業に伴う護岸整備及び"
    "橋梁架替工事（第二工区）その十二の補足工事並びに附帯道路等工事"
)
SCROLL_FITS = (
    "(() => { const r = document.querySelector('.table-scroll'); return r.scrollWidth <= r.clientWidth; })()"
)
PAGER = "⏪ 先頭 ◀ 前 {total}件中 {start} - {end}件 次 ▶ 最後 ⏩"


def _log_in(page: Page, username: str = brochure.DEMO_LOGIN, password: str = brochure.DEMO_PASSWORD) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="保証工事一覧")).to_be_visible()


def _numbers(page: Page) -> list[str]:
    return page.locator("table.guarantee-table tbody td.mono a").all_inner_texts()


@pytest.fixture
def brochure_world(live_server):
    world = brochure.seed_brochure()
    kagoshima = OrdererFactory(title="鹿児島県知事")
    # 25 more guarantees of the demo contractor, older than the brochure's, to page through.
    extra = [
        issue_guarantee(
            contractor=world.contractor,
            orderer=kagoshima,
            work_name=f"県道川内線 舗装修繕工事 その{n + 1}",
            concluded_on=dt.date(2021, 6, 1) + dt.timedelta(days=n),
            guarantee_period_end=dt.date(2022, 12, 31),
            construction_end_date=dt.date(2022, 12, 31),
        ).number
        for n in range(25)
    ]
    return world, extra


def test_a_contractor_finds_a_guarantee_opens_its_certificate_copies_its_key_and_logs_out(
    page: Page, screenshot, brochure_world
):
    _world, extra = brochure_world

    # Log in: the list opens with the brochure's two contracts first, newest first.
    _log_in(page)
    expect(page.locator(".account-name")).to_have_text("株式会社西日本保証建設 本町支店")
    assert _numbers(page)[:2] == ["1070200236", "1070000473"]
    pagers = page.locator("nav.pager")
    expect(pagers).to_have_count(2)
    expect(pagers.first).to_have_text(PAGER.format(total=27, start=1, end=20), use_inner_text=True)
    expect(pagers.last).to_have_text(PAGER.format(total=27, start=1, end=20), use_inner_text=True)
    screenshot("01-guarantee-list")

    # Page through: 次 ▶, 最後 ⏩, ◀ 前, ⏪ 先頭.
    pagers.first.get_by_role("link", name="次").click()
    expect(pagers.first).to_have_text(PAGER.format(total=27, start=21, end=27), use_inner_text=True)
    assert len(_numbers(page)) == 7
    assert _numbers(page)[-1] == extra[0]
    pagers.last.get_by_role("link", name="先頭").click()
    expect(pagers.first).to_have_text(PAGER.format(total=27, start=1, end=20), use_inner_text=True)
    pagers.first.get_by_role("link", name="最後").click()
    expect(pagers.first).to_have_text(PAGER.format(total=27, start=21, end=27), use_inner_text=True)
    pagers.first.get_by_role("link", name="前").click()
    expect(pagers.first).to_have_text(PAGER.format(total=27, start=1, end=20), use_inner_text=True)
    screenshot("02-guarantee-list-paged")

    # Search by each field.
    field = page.get_by_label("検索対象")
    box = page.get_by_label("検索語")
    search = page.get_by_role("button", name="検索")
    field.select_option(label="保証契約番号")
    box.fill("１０７００００４７３")  # full-width digits, as an IME types them
    search.click()
    assert _numbers(page) == ["1070000473"]
    field.select_option(label="発注者")
    box.fill("近畿地方整備局")
    search.click()
    assert _numbers(page) == ["1070200236", "1070000473"]
    field.select_option(label="工事名")
    box.fill("その25")
    search.click()
    assert _numbers(page) == [extra[24]]
    field.select_option(label="全件")
    box.fill("鹿児島県")
    search.click()
    expect(pagers.first).to_have_text(PAGER.format(total=25, start=1, end=20), use_inner_text=True)
    screenshot("03-guarantee-list-search")
    box.fill("")
    search.click()
    expect(pagers.first).to_have_text(PAGER.format(total=27, start=1, end=20), use_inner_text=True)

    # Open the certificate of 1070000473.
    page.get_by_role("link", name="1070000473").click()
    certificate = page.locator("article.certificate")
    expect(certificate.locator(".certificate-title")).to_have_text("保証証書（前払金保証）")
    expect(certificate).to_contain_text("令和 4年 1月20日")
    expect(certificate).to_contain_text("616,296,000 円")
    expect(page.locator(".status-line")).to_contain_text("保証期間満了")
    screenshot("04-certificate")

    # The print page fits one A4 page.
    page.get_by_role("link", name="印刷画面").click()
    expect(page.locator(".print-sheet .certificate-title")).to_have_text("保証証書（前払金保証）")
    page.emulate_media(media="print")
    expect(page.locator(".print-toolbar")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "05-certificate-print.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    page.emulate_media(media="screen")
    screenshot("05-certificate-print")
    page.go_back()

    # Back to the list, display the key of 1070000473 and copy the contents.
    page.get_by_role("link", name="一覧に戻る").click()
    row = page.locator("table.guarantee-table tbody tr", has=page.get_by_role("link", name="1070000473"))
    row.get_by_role("button", name="表示").click()
    expect(page.get_by_test_id("auth-key")).to_have_text("K5VL4+5QG_KJ")
    page.get_by_role("button", name="保証契約等の内容をコピー").click()
    expect(page.locator("[data-copy-status]")).to_have_text("保証契約等の内容をコピーしました。")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.splitlines() == [
        "■保証契約等の内容",
        "区分：前払金保証",
        "保証契約番号：1070000473",
        "認証キー：K5VL4+5QG_KJ",
        "工事名：国道〇号線 道路改良工事 その1",
        "発注者：支出負担行為担当官 近畿地方整備局長",
        "保証機関：西日本建設業保証株式会社",
    ]
    screenshot("06-auth-key")
    displays = AuditEvent.objects.filter(action=AUTHKEY_DISPLAYED)
    assert [(e.guarantee_id, e.actor_id) for e in displays] == [
        (Guarantee.objects.get(number="1070000473").pk, User.objects.get(username=brochure.DEMO_LOGIN).pk)
    ]

    # 閉じる goes back to the list; the paper-less rows have 表示, the key never appears there.
    page.get_by_role("link", name="閉じる").click()
    expect(page.get_by_role("heading", name="保証工事一覧")).to_be_visible()
    assert "K5VL4+5QG_KJ" not in page.content()

    # Log out.
    page.get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".messages")).to_contain_text("ログアウトしました。")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/"))


def test_the_list_stays_usable_at_tablet_width_with_long_names_and_amounts(
    page: Page, screenshot, contractor_a, user_a
):
    # given a 60-character work name and a 13-digit amount
    long_name = LONG_WORK_NAME
    assert len(long_name) == 60
    issue_guarantee(
        contractor=contractor_a,
        work_name=long_name,
        contract_amount_total=1_234_567_890_123,
        contract_amount_target=1_000_000_000_000,
        guarantee_amount=400_000_000_000,
    )
    page.set_viewport_size({"width": 768, "height": 1024})

    # when
    _log_in(page, "alpha", "correct horse battery staple")

    # then neither the page nor the table needs to scroll sideways: every column is on screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(SCROLL_FITS)
    cells = page.locator("table.guarantee-table tbody tr").first.locator("td")
    expect(cells.nth(6)).to_have_text(long_name)
    expect(cells.nth(7)).to_have_text("1,234,567,890,1231,000,000,000,000")
    expect(cells.nth(8)).to_have_text("400,000,000,000")
    for index in range(cells.count()):
        box = cells.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 768, index
    expect(page.get_by_role("button", name="表示")).to_have_count(1)
    # and the main controls are reachable with the keyboard
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "本文へ移動"
    screenshot("07-guarantee-list-tablet")
