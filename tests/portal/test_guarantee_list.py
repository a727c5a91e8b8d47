"""保証工事一覧: the brochure's columns, help lines, paging, search, status filter and query count."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.services import GuaranteeChanges, guarantee_change
from demo import brochure, generated
from guarantees.models import Guarantee, GuaranteeKind
from tests.factories import OrdererFactory, issue_guarantee

pytestmark = pytest.mark.django_db

NEW_YEAR = dt.date(2026, 1, 1)
TOKYO = ZoneInfo("Asia/Tokyo")
BROCHURE_PAGER = "⏪ 先頭 ◀ 前 2件中 1 - 2件 次 ▶ 最後 ⏩"


def _text(html: str) -> str:
    """The visible text of an HTML fragment with whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [_text(row) for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def _pager(html: str) -> str:
    """The text of the first paging line."""
    found = re.search(r'<nav class="pager".*?</nav>', html, flags=re.S)
    assert found is not None
    return _text(found.group())


def _numbers(html: str) -> list[str]:
    return re.findall(r'href="/certificates/(\d{10})/"', html)


@pytest.fixture
def brochure_client(client):
    world = brochure.seed_brochure()
    user = world.contractor.users.get()
    client.force_login(user)
    return client


def test_the_brochure_list_shows_both_contracts_with_its_columns_in_its_order(brochure_client, time_machine):
    # given the brochure's demo contractor with its two guarantees, on a day they were in force
    time_machine.move_to(dt.datetime(2022, 2, 1, 10, 0, tzinfo=TOKYO), tick=False)
    # when it opens the home page
    response = brochure_client.get("/")
    html = response.content.decode()

    # then the columns are the brochure's, in its order
    head = _text(html.split("<thead>", 1)[1].split("</thead>", 1)[0])
    assert head == (
        "種別 証書発行日 保証契約番号 区分 変更契約 発注者 工事名 "
        "請負金額(総額) : 円 請負金額(対象額) : 円 保証金額 : 円 認証キー"
    )
    # and the rows are the brochure's: the 契約 row with one amount, the 前払 row with both
    assert _rows(html) == [
        "電子 2022/01/28 1070200236 契約 支出負担行為担当官 近畿地方整備局長 国道〇号線 道路改良工事 その1 "
        "2,172,720,000 217,272,000 表示",
        "電子 2022/01/28 1070000473 前払 支出負担行為担当官 近畿地方整備局長 国道〇号線 道路改良工事 その1 "
        "2,172,720,000 616,296,000 145,670,000 表示",
    ]


def test_a_guarantee_out_of_force_is_marked_with_the_status_every_screen_reads(brochure_client, time_machine):
    # given the brochure's guarantees, whose period ended on 2023-03-15, one of them cancelled
    Guarantee.objects.filter(number="1070200236").update(
        status=Guarantee.Status.CANCELLED, status_changed_on=dt.date(2023, 1, 10)
    )
    # when the contractor opens the list on the first day after the period (in Japan)
    time_machine.move_to(dt.datetime(2023, 3, 16, 0, 0, 1, tzinfo=TOKYO), tick=False)
    rows = {row.split()[2]: row for row in _rows(brochure_client.get("/").content.decode())}
    # then each row says what the certificate screen says: 保証期間満了 and 解約
    assert "1070000473 保証期間満了 前払" in rows["1070000473"]
    assert "1070200236 解約 契約" in rows["1070200236"]
    # and the day before, in Japan (already 2023-03-15 15:00 UTC), the advance is still in force
    time_machine.move_to(dt.datetime(2023, 3, 15, 23, 59, 59, tzinfo=TOKYO), tick=False)
    rows = {row.split()[2]: row for row in _rows(brochure_client.get("/").content.decode())}
    assert "1070000473 前払" in rows["1070000473"]


def test_the_paging_line_reads_exactly_as_the_brochure_above_and_below_the_table(brochure_client):
    # when
    html = brochure_client.get("/").content.decode()

    # then
    pagers = [_text(nav) for nav in re.findall(r'<nav class="pager".*?</nav>', html, flags=re.S)]
    assert pagers == [BROCHURE_PAGER, BROCHURE_PAGER]
    table_at = html.index("<table")
    assert html.index('class="pager"') < table_at < html.rindex('class="pager"')


def test_the_three_help_lines_stand_above_the_table(brochure_client):
    # when
    html = brochure_client.get("/").content.decode()

    # then
    lines = [
        "保証契約番号（10桁）をクリックすると、保証証書の内容をご確認できます。",
        "認証キーの「表示」ボタンを押すと、発注者へ提出いただく情報が表示されます。",
        "全件表示したい場合は全件を選択し、検索ボックスを空白にして検索ボタンを押してください。"
        "（初期表示は全件表示しています。）",
    ]
    for line in lines:
        assert 0 <= html.index(line) < html.index("<table")


def test_the_header_shows_the_contractor_logout_password_change_and_manual(brochure_client):
    # when
    html = brochure_client.get("/").content.decode()

    # then
    header = _text(html.split("</header>", 1)[0])
    for text in ("株式会社西日本保証建設 本町支店", "ログアウト", "パスワード変更", "マニュアル"):
        assert text in header


@pytest.fixture
def searchable(client, contractor_a, user_a):
    kinki = OrdererFactory(title="支出負担行為担当官 近畿地方整備局長")
    kagoshima = OrdererFactory(title="鹿児島県知事")
    bridge = issue_guarantee(contractor=contractor_a, orderer=kinki, work_name="一級河川 橋梁補修工事")
    road = issue_guarantee(
        contractor=contractor_a, orderer=kagoshima, work_name="県道川内線 道路改良工事", number=None
    )
    client.force_login(user_a)
    return client, bridge, road


@pytest.mark.parametrize(
    ("field", "query", "expected"),
    [
        ("orderer", "近畿", ["bridge"]),
        ("orderer", "鹿児島", ["road"]),
        ("work", "道路改良", ["road"]),
        ("work", "橋梁　補修", ["bridge"]),  # a full-width space separates words
        ("all", "鹿児島", ["road"]),
        ("all", "工事", ["road", "bridge"]),
        ("all", "", ["road", "bridge"]),
        ("number", "", ["road", "bridge"]),
        ("orderer", "存在しない", []),
    ],
)
def test_the_search_box_finds_by_the_selected_field(searchable, field, query, expected):
    # given two guarantees of contractor A
    client, bridge, road = searchable
    by_name = {"bridge": bridge.number, "road": road.number}

    # when A searches
    html = client.get("/", {"field": field, "q": query}).content.decode()

    # then only the matching ones are listed, newest (highest number on one day) first
    assert _numbers(html) == [by_name[name] for name in expected]


def test_a_contract_number_typed_with_full_width_digits_and_hyphens_is_found(searchable):
    # given
    client, bridge, _road = searchable
    typed = bridge.number[:3] + "－" + bridge.number[3:]
    typed = typed.translate(str.maketrans("0123456789", "０１２３４５６７８９"))

    # when
    html = client.get("/", {"field": "number", "q": typed}).content.decode()

    # then
    assert _numbers(html) == [bridge.number]


def test_a_word_is_not_taken_for_a_contract_number(searchable):
    # when
    html = searchable[0].get("/", {"field": "number", "q": "道路"}).content.decode()

    # then
    assert _numbers(html) == []
    assert "該当する保証工事はありません。" in html


def test_unknown_selector_values_fall_back_to_everything(searchable):
    # when
    response = searchable[0].get("/", {"field": "<script>", "status": "nope", "page": "-3"})

    # then
    assert response.status_code == 200
    assert len(_numbers(response.content.decode())) == 2


def test_the_list_is_newest_first_and_shows_only_the_contractors_own_guarantees(
    client, contractor_a, contractor_b, user_a
):
    # given A's guarantees on three days and one of B's
    older = issue_guarantee(contractor=contractor_a, concluded_on=dt.date(2026, 4, 1))
    newest = issue_guarantee(contractor=contractor_a, concluded_on=dt.date(2026, 6, 20))
    middle = issue_guarantee(contractor=contractor_a, concluded_on=dt.date(2026, 5, 1))
    others = issue_guarantee(contractor=contractor_b)
    client.force_login(user_a)

    # when
    html = client.get("/").content.decode()

    # then
    assert _numbers(html) == [newest.number, middle.number, older.number]
    assert others.number not in html


def test_a_paper_guarantee_is_listed_without_a_key_button(client, contractor_a, user_a, time_machine):
    # given a paper guarantee issued on 2026-07-01 in Japan (a day on which UTC is still 2026-06-30)
    time_machine.move_to(dt.datetime(2026, 7, 1, 8, 30, tzinfo=TOKYO), tick=False)
    paper_orderer = OrdererFactory(e_guarantee_adopted_on=None)
    paper = issue_guarantee(contractor=contractor_a, orderer=paper_orderer)
    assert paper.medium == Guarantee.Medium.PAPER
    client.force_login(user_a)

    # when
    html = client.get("/").content.decode()

    # then
    assert _rows(html)[0].startswith(f"書面 2026/07/01 {paper.number} 前払")
    assert f'formaction="/keys/{paper.number}/"' not in html
    assert "表示</button>" not in html


def test_a_guarantee_changed_with_a_new_version_is_marked_in_the_change_column(client, contractor_a, user_a):
    # given one changed guarantee (増額: a (変更) version) and one unchanged
    changed = issue_guarantee(contractor=contractor_a)
    unchanged = issue_guarantee(contractor=contractor_a)
    guarantee_change(
        guarantee=changed,
        changes=GuaranteeChanges(guarantee_amount=35_000_000),
        changed_by=None,
        reason="減額",
    )
    client.force_login(user_a)

    # when
    rows = {row.split()[2]: row for row in _rows(client.get("/").content.decode())}

    # then
    assert "前払 (変更)" in rows[changed.number]
    assert "(変更)" not in rows[unchanged.number]


def test_a_registered_guarantee_without_a_certificate_is_not_listed(client, contractor_a, user_a):
    # given
    from tests.factories import register_guarantee

    pending = register_guarantee(contractor=contractor_a)
    client.force_login(user_a)

    # when
    html = client.get("/").content.decode()

    # then
    assert pending.number not in html


def test_the_status_filter_separates_current_and_past_guarantees(client, contractor_a, user_a, time_machine):
    # given one guarantee in force, one past its period, one cancelled
    time_machine.move_to(dt.datetime(2026, 7, 1, 10, tzinfo=dt.UTC))
    current = issue_guarantee(contractor=contractor_a, concluded_on=dt.date(2026, 6, 1))
    expired = issue_guarantee(
        contractor=contractor_a,
        concluded_on=dt.date(2025, 4, 1),
        guarantee_period_end=dt.date(2026, 3, 31),
        construction_end_date=dt.date(2026, 3, 31),
    )
    cancelled = issue_guarantee(contractor=contractor_a, concluded_on=dt.date(2026, 5, 1))
    Guarantee.objects.filter(pk=cancelled.pk).update(status=Guarantee.Status.CANCELLED)
    client.force_login(user_a)

    # when / then
    assert _numbers(client.get("/", {"status": "current"}).content.decode()) == [current.number]
    past = client.get("/", {"status": "past"}).content.decode()
    assert _numbers(past) == [cancelled.number, expired.number]
    assert _numbers(client.get("/").content.decode()) == [current.number, cancelled.number, expired.number]


@pytest.fixture
def twenty_five(client, contractor_a, user_a):
    numbers = [
        issue_guarantee(contractor=contractor_a, concluded_on=NEW_YEAR + dt.timedelta(days=day)).number
        for day in range(25)
    ]
    client.force_login(user_a)
    return client, numbers[::-1]


def test_twenty_five_guarantees_page_by_twenty(twenty_five):
    # given
    client, newest_first = twenty_five

    # when
    first = client.get("/").content.decode()
    second = client.get("/", {"page": 2}).content.decode()
    beyond = client.get("/", {"page": 99}).content.decode()

    # then
    assert _numbers(first) == newest_first[:20]
    assert _numbers(second) == newest_first[20:]
    assert _numbers(beyond) == newest_first[20:]
    assert _pager(first) == ("⏪ 先頭 ◀ 前 25件中 1 - 20件 次 ▶ 最後 ⏩")
    assert _pager(second) == ("⏪ 先頭 ◀ 前 25件中 21 - 25件 次 ▶ 最後 ⏩")
    assert 'href="?page=2" rel="next"' in first
    assert 'href="?page=1" rel="first"' in second


def test_page_links_keep_the_search(twenty_five):
    # when
    html = twenty_five[0].get("/", {"field": "work", "q": "道路", "status": "current"}).content.decode()

    # then
    assert "?field=work&amp;q=%E9%81%93%E8%B7%AF&amp;status=current&amp;page=2" in html


def test_an_empty_list_says_so_with_zero_counts(client, user_a):
    # given
    client.force_login(user_a)

    # when
    html = client.get("/").content.decode()

    # then
    assert "該当する保証工事はありません。" in html
    assert _pager(html) == ("⏪ 先頭 ◀ 前 0件中 0 - 0件 次 ▶ 最後 ⏩")


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", {"page": 1})
    assert response.status_code == 200
    return len(queries)


def test_the_list_page_costs_the_same_queries_for_ten_and_for_a_thousand_guarantees(
    client, django_assert_num_queries
):
    # given the demo contractor with 10 generated guarantees (and the brochure's two)
    world = brochure.seed_brochure()
    generated.seed_generated(count=10, demo_share=10)
    client.force_login(world.contractor.users.get())
    client.get("/")  # the first request after login stamps the session
    # session, user with contractor, count, page, submissions to orderers
    with django_assert_num_queries(5):
        small = client.get("/")
    assert len(_numbers(small.content.decode())) == 12

    # when it has a thousand
    generated.seed_generated(count=1000, demo_share=1000)
    assert world.contractor.guarantees.count() == 1002

    # then the page costs the same
    with django_assert_num_queries(5):
        large = client.get("/", {"field": "all", "q": "工事", "status": "", "page": 3})
    assert len(_numbers(large.content.decode())) == 20


def test_search_and_filters_do_not_add_queries(client, contractor_a, user_a, django_assert_num_queries):
    # given
    for _ in range(3):
        issue_guarantee(contractor=contractor_a)
    issue_guarantee(contractor=contractor_a, kind=GuaranteeKind.ADVANCE, work_name="別の工事")
    client.force_login(user_a)
    client.get("/")

    # then
    with django_assert_num_queries(5):
        response = client.get("/", {"field": "orderer", "q": "局長", "status": "current", "page": 1})
    assert len(_numbers(response.content.decode())) == 4
