"""The auth key screen (●認証キー表示画面): displayed on request, recorded each time."""

from __future__ import annotations

import re

import pytest

from authkeys.audit_actions import AUTHKEY_DISPLAYED
from demo import brochure
from guarantees.models import AuditEvent
from tests.factories import OrdererFactory, issue_guarantee

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def demo_user(client):
    world = brochure.seed_brochure()
    user = world.contractor.users.get()
    client.force_login(user)
    return user


def _displays(number: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AUTHKEY_DISPLAYED, guarantee__number=number).order_by("id"))


def test_pressing_the_display_button_shows_the_brochures_key_screen_and_records_it(client, demo_user):
    # when the contractor presses 「表示」 for 1070000473
    response = client.post("/keys/1070000473/")

    # then the screen shows the brochure's instructions and contents
    text = _text(response.content.decode())
    assert response.status_code == 200
    assert "発注者が保証証書の内容を確認する際に、保証契約番号と認証キーが必要となりますので" in text
    assert "①電子契約システム（GECS等）にPDFファイルを登録する。" in text
    assert "②発注者へ電子メールを送信する。" in text
    assert "※詳しくは発注者にご確認ください。" in text
    contents = _text(response.content.decode().split('id="key-contents"', 1)[1].split("</table>", 1)[0])
    assert contents.endswith(
        "区分 前払金保証 保証契約番号 1070000473 認証キー K5VL4+5QG_KJ "
        "工事名 国道〇号線 道路改良工事 その1 発注者 支出負担行為担当官 近畿地方整備局長 "
        "保証機関 西日本建設業保証株式会社"
    )
    assert "保証契約等の内容をコピー" in text
    assert "閉じる" in text
    assert "no-store" in response["Cache-Control"]

    # and the display is recorded with who did it
    [event] = _displays("1070000473")
    assert event.actor == demo_user


def test_the_key_screen_offers_the_pdf_copy_and_close_and_no_submission_for_an_ended_guarantee(
    client, demo_user
):
    # when (the brochure's guarantee ended on 2023-03-15)
    html = client.post("/keys/1070000473/").content.decode()

    # then
    actions = html.split('data-testid="key-actions"', 1)[1].split("data-copy-status", 1)[0]
    assert 'action="/documents/keys/1070000473/notice.pdf"' in actions
    assert [_text(b) for b in re.findall(r"<(?:button|a)\b.*?</(?:button|a)>", actions, flags=re.S)] == [
        "保証契約等の内容をPDF出力",
        "保証契約等の内容をコピー",
        "閉じる",
    ]


def test_opening_the_key_screen_without_pressing_display_shows_no_key_and_records_nothing(client, demo_user):
    # when
    response = client.get("/keys/1070200236/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "R7MX3_P9TD+W" not in html
    assert "「表示」ボタンを押すと表示されます" in html
    assert _displays("1070200236") == []


def test_each_display_is_recorded(client, demo_user):
    # when the key is displayed twice
    first = client.post("/keys/1070200236/")
    second = client.post("/keys/1070200236/")

    # then both showed it and both are recorded
    assert "R7MX3_P9TD+W" in first.content.decode()
    assert "R7MX3_P9TD+W" in second.content.decode()
    assert len(_displays("1070200236")) == 2


def test_a_paper_guarantee_has_no_key_screen(client, contractor_a, user_a):
    # given
    paper = issue_guarantee(contractor=contractor_a, orderer=OrdererFactory(e_guarantee_adopted_on=None))
    client.force_login(user_a)

    # when / then
    assert client.get(f"/keys/{paper.number}/").status_code == 404
    assert client.post(f"/keys/{paper.number}/").status_code == 404


def test_another_contractors_key_answers_404_and_records_nothing(client, contractor_b, user_a):
    # given
    theirs = issue_guarantee(contractor=contractor_b)
    client.force_login(user_a)

    # when
    answers = [client.get(f"/keys/{theirs.number}/"), client.post(f"/keys/{theirs.number}/")]
    unknown = client.post("/keys/1079999999/")

    # then
    assert [response.status_code for response in answers] == [404, 404]
    assert unknown.status_code == 404
    assert _displays(theirs.number) == []


def test_a_reissued_key_shows_the_new_key(client, contractor_a, user_a):
    # given
    from authkeys.services import authkey_reissue

    guarantee = issue_guarantee(contractor=contractor_a, key="ABCDEFGH2345")
    authkey_reissue(guarantee=guarantee, reissued_by=None)
    client.force_login(user_a)

    # when
    html = client.post(f"/keys/{guarantee.number}/").content.decode()

    # then
    found = re.search(r'data-testid="auth-key">([^<]+)<', html)
    assert found is not None
    shown = found.group(1)
    assert shown != "ABCDEFGH2345"
    assert len(shown) == 12
