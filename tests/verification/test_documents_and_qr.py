"""What an orderer can take away after verifying, and the key notice's QR link."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.verification.helpers import KEY, page_verify

pytestmark = pytest.mark.django_db


def _result_page(advance) -> tuple[Client, str, str]:
    client = Client()
    response = page_verify(client, advance.number, KEY)
    assert response.status_code == 303
    location = response["Location"]
    return client, location, client.get(location).content.decode()


def test_the_result_offers_the_signed_certificate_the_receipt_and_a_subscription(advance):
    # given a verified certificate
    client, location, body = _result_page(advance)
    token = location.rstrip("/").rsplit("/", 1)[1]

    # then the result page links the three take-aways, all by the signed token and never the key
    assert f'href="/documents/verified/{token}/certificate.pdf"' in body
    assert f'href="/documents/verified/{token}/receipt.pdf"' in body
    assert "保証証書（PDF・電子署名付き）" in body
    assert "確認記録（PDF）" in body
    assert "変更・解約をメールで受け取る" in body
    assert KEY not in body.split('id="verification-documents"', 1)[1].split("</div>", 1)[0]

    # when the orderer follows each link, they answer
    links = [
        part.split('"', 1)[0].replace("&amp;", "&")
        for part in body.split('id="verification-documents"', 1)[1].split("</div>", 1)[0].split('href="')[1:]
    ]
    assert len(links) == 3
    certificate_pdf, receipt_pdf, subscribe = (client.get(link) for link in links)
    assert certificate_pdf.status_code == 200
    assert certificate_pdf["Content-Type"] == "application/pdf"
    assert receipt_pdf.status_code == 200
    assert receipt_pdf["Content-Type"] == "application/pdf"
    assert subscribe.status_code == 200


def test_the_qr_link_fills_in_the_contract_number_from_the_query(client):
    # when the QR code of a key notice is opened (the key stays in the fragment, unseen by the server)
    body = client.get("/verify/", {"number": "１０７-0000473"}).content.decode()

    # then the number is filled in, normalised, and the page loads the script that reads the fragment
    assert 'value="1070000473"' in body
    assert "js/verify-prefill" in body


def test_a_malformed_number_in_the_query_is_ignored(client):
    body = client.get("/verify/", {"number": "<script>"}).content.decode()
    assert "&lt;script&gt;" not in body
    assert 'name="contract_number"' in body


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_qr_link_fills_in_the_key_from_the_fragment_and_removes_it_from_the_address(
    advance, live_server, browser
):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    # when the orderer scans the QR code of the key notice
    page.goto(f"{live_server.url}/verify/?number={advance.number}#key={KEY.replace('+', '%2B')}")
    # then both fields are filled, the key is gone from the address bar, and verifying works
    assert page.input_value("#id_contract_number") == advance.number
    assert page.input_value("#id_auth_key") == KEY
    assert "#" not in page.url
    page.click("main button[type=submit]")
    page.wait_for_url("**/verify/result/**")
    assert advance.number in page.content()
    context.close()
