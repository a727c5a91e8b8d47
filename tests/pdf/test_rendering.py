"""What the PDFs print: the certificate, the key notice and the verification receipt."""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from weasyprint import HTML

from authkeys.keys import ALPHABET
from certificates import pdf
from certificates.services import GuaranteeChanges, guarantee_change
from guarantees.services import guarantee_cancel
from tests.factories import issue_guarantee
from tests.pdf.conftest import embedded_fonts, flat_text, pdf_text


def test_the_certificate_prints_the_contract_number_work_name_and_amounts_as_printed(contractor_a, orderer):
    # given a guarantee concluded 2026-06-01 with its period ending 2027-03-31
    issued = issue_guarantee(
        contractor=contractor_a,
        orderer=orderer,
        concluded_on=dt.date(2026, 6, 1),
        guarantee_period_end=dt.date(2027, 3, 31),
        construction_end_date=dt.date(2027, 3, 31),
    )
    certificate = issued.certificates.get()
    # when
    text = pdf_text(pdf.certificate_pdf(certificate=certificate))
    # then
    assert "保証証書（前払金保証）" in text
    assert f"保証契約番号 {issued.number}" in text
    assert "国道〇号線 道路改良工事 その1" in text
    assert "保証金額(総額) 40,000,000 円" in text
    assert "請負金額(総額) 100,000,000 円" in text
    assert "請負金額(対象額) 100,000,000 円" in text
    assert "保証期間 令和 9年 3月31日" in text
    assert "令和 8年 6月 1日" in text  # the certificate's date, in 和暦
    assert "取組場所 東京支店" in text
    assert "(注)1. 保証金額の構成等の変更があった場合は(変更)と表示し" in text
    assert "前払金保証約款につきましては、https://www.wjgs.net/をご覧ください。" in text
    assert not re.search(r"保証証書（前払金保証）\s*\(変更\)", text)


def test_a_changed_version_is_marked_and_prints_the_new_amount(issued):
    # given
    outcome = guarantee_change(
        guarantee=issued,
        changes=GuaranteeChanges(guarantee_amount=30_000_000),
        changed_by=None,
        reason="減額",
    )
    assert outcome.certificate is not None
    # when
    text = pdf_text(pdf.certificate_pdf(certificate=outcome.certificate))
    # then
    assert re.search(r"保証証書（前払金保証）\s*\(変更\)", text)
    assert "保証金額(総額) 30,000,000 円" in text
    assert f"保証契約番号 {issued.number} 第2版" in text


def test_a_contract_guarantee_is_titled_by_its_kind(orderer):
    guarantee = issue_guarantee(orderer=orderer, kind="contract", guarantee_amount=10_000_000, bank=None)
    text = pdf_text(pdf.certificate_pdf(certificate=guarantee.certificates.get()))
    assert "保証証書（契約保証）" in text
    assert "保証金納付機関" not in text


def test_only_the_shipped_japanese_font_is_used_and_it_is_embedded(issued):
    # given
    certificate = issued.certificates.get()
    # when
    fonts = embedded_fonts(pdf.certificate_pdf(certificate=certificate))
    # then: one subset of the shipped IPAex Mincho, embedded; no system font slipped in
    assert fonts
    assert all(name.endswith("+Portal-Mincho") for name, _embedded in fonts), fonts
    assert all(embedded for _name, embedded in fonts)


def test_values_from_the_database_are_printed_as_text_never_as_markup(contractor_a, orderer):
    # given: a work name that looks like markup pointing outside the project
    name = "<img src='http://127.0.0.1:8599/x.png'> 橋梁補修工事 & <b>その2</b>"
    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer, work_name=name)
    # when
    text = flat_text(pdf.certificate_pdf(certificate=guarantee.certificates.get()))
    # then
    assert name in text


@pytest.fixture
def listener():
    """A TCP listener on one of our ports that counts connection attempts."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 8598))
    server.listen()
    server.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _address = server.accept()
            except TimeoutError:
                continue
            accepted.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield accepted
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize(
    "markup",
    [
        '<link rel="stylesheet" href="http://127.0.0.1:8598/evil.css">',
        '<img src="http://127.0.0.1:8598/pixel.png">',
        '<img src="file:///etc/passwd">',
        '<img src="../../config/settings/base.py">',
    ],
)
def test_rendering_never_fetches_anything_outside_the_project(listener, markup):
    # given
    renderer = pdf._renderer()
    document = HTML(string=f"<p>x</p>{markup}", base_url=renderer.base_url, url_fetcher=renderer.fetcher)
    # when / then: the render stops, and nothing connected to the listener
    with pytest.raises(pdf.RefusedFetch):
        document.write_pdf(font_config=renderer.font_config)
    assert listener == []


def test_the_fetcher_serves_the_project_static_files():
    response = pdf._renderer().fetcher.fetch((pdf.STATIC_DIR / "pdf" / "documents.css").as_uri())
    assert b"@font-face" in response.read()


def test_the_key_notice_prints_the_submission_block_and_the_key(issued):
    # given
    certificate = issued.certificates.get()
    # when
    text = flat_text(pdf.authkey_notice_pdf(guarantee=issued, key="K5VL4+5QG_KJ"))
    # then
    assert "保証契約等の内容" in text
    assert "次の方法等で発注者機関にご提出ください" in text
    assert "区分 : 前払金保証" in text
    assert f"保証契約番号 : {issued.number}" in text
    assert "K5VL4+5QG_KJ" in text
    assert "工事名 : 国道〇号線 道路改良工事 その1" in text
    assert f"発注者 : {certificate.orderer_title}" in text
    assert "保証機関 : 西日本建設業保証株式会社" in text


def test_the_key_notice_dates_itself_in_wareki_on_the_japanese_calendar(issued):
    # when the notice is printed at 15:04 UTC on 2 December, 00:04 on 3 December in Japan
    printed_at = dt.datetime(2026, 12, 2, 15, 4, tzinfo=dt.UTC)
    text = pdf_text(pdf.authkey_notice_pdf(guarantee=issued, key="K5VL4+5QG_KJ", printed_at=printed_at))
    # then its date line is 和暦 and Japan time, like every other document of the portal
    assert text.splitlines()[0] == "令和 8年12月 3日 00:04"
    assert "2026年" not in text


def test_the_receipt_dates_itself_in_wareki(issued):
    text = pdf_text(
        pdf.verification_receipt_pdf(
            certificate=issued.certificates.get(),
            verified_at=dt.datetime(2026, 12, 2, 15, 4, 5, tzinfo=dt.UTC),
        )
    )
    assert "確認日時 令和 8年12月 3日 00:04:05（日本時間）" in text
    assert re.match(r"(令和|平成)", text.splitlines()[0])
    assert "2026年" not in text


@given(key=st.text(alphabet=ALPHABET, min_size=12, max_size=12))
def test_the_qr_link_carries_the_key_in_the_fragment_only(key):
    # when
    url = pdf.verify_url(contract_number="1070000473", key=key)
    parts = urlsplit(url)
    # then: the server sees the number, never the key; the page reads the key back exactly
    assert parts.path == "/verify/"
    assert parts.query == "number=1070000473"
    assert key not in parts.query
    assert parts.fragment.startswith("key=")
    assert unquote(parts.fragment.removeprefix("key=")) == key
    assert "+" not in parts.fragment  # a '+' would read as a space in a query-style fragment


def test_the_receipt_names_the_version_its_status_and_the_time_of_verification(issued):
    # given
    certificate = issued.certificates.get()
    verified_at = dt.datetime(2026, 11, 24, 1, 5, 9, tzinfo=dt.UTC)
    # when
    text = pdf_text(
        pdf.verification_receipt_pdf(certificate=certificate, verified_at=verified_at, verification_id=42)
    )
    # then
    assert "電子証書の確認記録" in text
    assert "確認日時 令和 8年11月24日 10:05:09（日本時間）" in text
    assert "確認番号 42" in text
    assert f"保証契約番号 {issued.number}" in text
    assert "保証証書（前払金保証） 第1版" in text
    assert "状態 有効 ・ 最新の版" in text
    assert certificate.documents.get().sha256 in text.replace("\n", "")


def test_the_receipt_of_an_older_version_of_a_cancelled_guarantee_says_so(issued):
    # given
    old = issued.certificates.get()
    guarantee_change(
        guarantee=issued,
        changes=GuaranteeChanges(guarantee_amount=30_000_000),
        changed_by=None,
        reason="減額",
    )
    guarantee_cancel(guarantee=issued, cancelled_by=None, reason="工事中止", cancelled_on=dt.date(2026, 9, 1))
    # when
    text = pdf_text(pdf.verification_receipt_pdf(certificate=old, verified_at=dt.datetime.now(dt.UTC)))
    # then
    assert "状態 解約 ・ より新しい第2版があります" in text


def test_the_qr_image_is_the_qr_code_of_the_link_module_for_module():
    import base64

    import qrcode

    # given
    url = pdf.verify_url(contract_number="1070000473", key="K5VL4+5QG_KJ")
    # when: the rectangles of the image's path are read back into modules
    svg = base64.b64decode(pdf.qr_data_url(url).removeprefix("data:image/svg+xml;base64,")).decode()
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))  # type: ignore[union-attr]
    drawn = [[False] * size for _ in range(size)]
    for start, y, end in re.findall(r"M(\d+),(\d+)H(\d+)V\d+H\d+z", svg):
        for x in range(int(start), int(end)):
            drawn[int(y)][x] = True
    # then: exactly the dark modules of the QR code of the link, with its two-module quiet zone
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    assert drawn == code.get_matrix()
    assert f'width="{size}mm"' in svg
