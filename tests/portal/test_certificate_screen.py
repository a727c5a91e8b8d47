"""The certificate screen (●保証内容表示画面), its versions and the print page."""

from __future__ import annotations

import re

import pytest

from certificates.services import GuaranteeChanges, guarantee_change
from demo import brochure
from guarantees.models import Guarantee
from tests.factories import issue_guarantee

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def brochure_client(client):
    world = brochure.seed_brochure()
    client.force_login(world.contractor.users.get())
    return client


def test_the_advance_certificate_shows_the_brochures_content(brochure_client):
    # when the contractor clicks 1070000473 in the list
    response = brochure_client.get("/certificates/1070000473/")

    # then every part of the brochure's certificate screen is there
    text = _text(response.content.decode())
    for part in [
        "令和 4年 1月20日",
        "保証証書（前払金保証）",
        "保証契約番号 1070000473",
        "保証契約者 株式会社西日本保証建設 本町支店 様",
        "被保証者 支出負担行為担当官 近畿地方整備局長 様",
        "保証金額(総額) 145,670,000 円",
        "保証期間 令和 5年 3月15日",
        "工期末日 令和 5年 3月15日",
        "工事名 国道〇号線 道路改良工事 その1",
        "請負金額(総額) 2,172,720,000 円",
        "請負金額(対象額) 616,296,000 円",
        "保証金納付機関 三菱UFJ銀行 東京支店",
        "当会社は、前払金保証約款に基づき上記のとおり前払金保証契約を締結し、その責に任じます。",
        "大阪市西区西船場二丁目1番2号 西日本建設業保証株式会社 取締役社長 眞田 一",
        "取組場所 東京支店 東京都中央区日本橋3丁目8番14号 TEL: 03-6848-2671 FAX: 0320-504133",
        "(注)1. 保証金額の構成等の変更があった場合は(変更)と表示し、変更後の内容を記載します。",
        "2. 保証期間については",
        "3. 請負金額のみの変更の保証証書は発行を致しません。",
        "前払金保証約款につきましては、https://www.wjgs.net/をご覧ください。",
        "印刷画面",
    ]:
        assert part in text, part
    assert "(変更)</span>" not in response.content.decode().split('class="certificate-title"')[1][:200]


def test_the_contract_certificate_uses_the_contract_wording(brochure_client):
    # when
    text = _text(brochure_client.get("/certificates/1070200236/").content.decode())

    # then
    assert "保証証書（契約保証）" in text
    assert "契約保証契約を締結し、その責に任じます。" in text
    assert "保証金額(総額) 217,272,000 円" in text


def test_the_status_line_says_when_the_guarantee_period_has_ended(brochure_client):
    # when (the brochure's guarantees ended on 2023-03-15)
    html = brochure_client.get("/certificates/1070000473/").content.decode()

    # then
    assert "状態: 保証期間満了" in _text(html)


def test_a_changed_guarantee_shows_its_latest_version_marked_and_links_the_older_one(
    client, contractor_a, user_a
):
    # given a guarantee with a (変更) version after a decrease
    guarantee = issue_guarantee(contractor=contractor_a, guarantee_amount=40_000_000)
    guarantee_change(
        guarantee=guarantee,
        changes=GuaranteeChanges(guarantee_amount=30_000_000),
        changed_by=None,
        reason="減額",
    )
    client.force_login(user_a)

    # when A opens the certificate
    latest = client.get(f"/certificates/{guarantee.number}/").content.decode()

    # then it shows version 2, marked (変更), with the new amount and the history
    title = _text(latest.split('class="certificate-title"', 1)[1].split("</h2>", 1)[0])
    assert title.endswith("保証証書（前払金保証） (変更)")
    assert "保証金額(総額) 30,000,000 円" in _text(latest)
    history = _text(latest.split('class="version-list"', 1)[1].split("</ol>", 1)[0])
    assert "第2版 (変更)" in history
    assert "減額" in history
    assert f'href="/certificates/{guarantee.number}/v1/"' in latest

    # and the first version is reachable, with what it said then
    first = client.get(f"/certificates/{guarantee.number}/v1/").content.decode()
    assert "保証金額(総額) 40,000,000 円" in _text(first)
    assert "第1版（過去の版）を表示しています。" in _text(first)


def test_a_version_that_does_not_exist_answers_404(client, contractor_a, user_a):
    # given
    guarantee = issue_guarantee(contractor=contractor_a)
    client.force_login(user_a)

    # when / then
    assert client.get(f"/certificates/{guarantee.number}/v2/").status_code == 404
    assert client.get(f"/certificates/{guarantee.number}/v2/print/").status_code == 404


def test_another_contractors_number_answers_404_like_an_unknown_number(client, contractor_b, user_a):
    # given B's guarantee
    theirs = issue_guarantee(contractor=contractor_b)
    client.force_login(user_a)

    # when A types B's number, an unknown number and nonsense into the URL
    answers = [
        client.get(f"/certificates/{theirs.number}/"),
        client.get(f"/certificates/{theirs.number}/v1/print/"),
        client.get("/certificates/1079999999/"),
        client.get("/certificates/%3Cscript%3E/"),
    ]

    # then all answer the same 404, showing nothing of B's
    assert [response.status_code for response in answers] == [404, 404, 404, 404]
    assert theirs.work_name not in answers[0].content.decode()


def test_a_number_in_the_url_is_normalised_from_full_width_digits(brochure_client):
    # when
    response = brochure_client.get("/certificates/１０７００００４７３/")

    # then
    assert response.status_code == 200
    assert "1070000473" in response.content.decode()


def test_a_paper_guarantee_has_a_certificate_screen_but_no_key_link(client, contractor_a, user_a):
    # given
    from tests.factories import OrdererFactory

    paper = issue_guarantee(contractor=contractor_a, orderer=OrdererFactory(e_guarantee_adopted_on=None))
    assert paper.medium == Guarantee.Medium.PAPER
    client.force_login(user_a)

    # when
    html = client.get(f"/certificates/{paper.number}/").content.decode()

    # then
    assert "保証証書（前払金保証）" in html
    assert "/keys/" not in html


def test_the_print_page_holds_the_certificate_alone_with_print_css(brochure_client):
    # when
    response = brochure_client.get("/certificates/1070000473/print/")
    html = response.content.decode()

    # then
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert 'class="print-sheet"' in html
    assert "保証証書（前払金保証）" in html
    assert "site-header" not in html
    assert "data-print" in html
    assert "<script>" not in html
    assert "style=" not in html
