"""電子署名の確かめ方: a public page that the receipt prints the address of, and that the result page
and the manual link to; what it says about the signature and the receipt's SHA-256 holds."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.pdf.conftest import flat_text
from tests.verification.helpers import KEY, page_verify

pytestmark = pytest.mark.django_db

HELP_PATH = "/manual/signature/"


def test_the_signature_help_is_public_and_says_how_to_check_the_signature_and_the_hash(client):
    # when anyone opens it without logging in
    response = client.get(reverse("certificates:signature_help"))

    # then it answers with what the signature proves, the reader's panels and the three commands
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("certificates:signature_help") == HELP_PATH
    for text in (
        "電子署名の確かめ方",
        "PAdES",
        "署名の後に、PDFが1文字も変更されていないこと",
        "Adobe Acrobat Reader",
        "署名パネル",
        "署名者の証明書を表示",
        "署名の後に変更されたPDF",
        "64文字の英数字",
        "certutil -hashfile x.pdf SHA256",
        "shasum -a 256 x.pdf",
        "sha256sum x.pdf",
    ):
        assert text in body, text


def test_the_manual_links_the_signature_help(client):
    body = client.get(reverse("certificates:manual")).content.decode()
    assert f'href="{HELP_PATH}"' in body


def test_the_receipt_prints_the_help_address_and_the_sha256_of_the_certificate_pdf(advance):
    # given an orderer who verified and is on the result page
    client = Client()
    location = page_verify(client, advance.number, KEY)["Location"]
    result = client.get(location).content.decode()
    token = location.rstrip("/").rsplit("/", 1)[1]

    # then the result page links the help page
    assert f'href="{HELP_PATH}"' in result

    # when the orderer downloads the certificate and the receipt
    certificate = client.get(reverse("documents:verified_certificate", args=[token]))
    receipt = client.get(reverse("documents:verification_receipt", args=[token]))
    assert certificate.status_code == receipt.status_code == 200
    text = flat_text(b"".join(receipt.streaming_content) if receipt.streaming else receipt.content)

    # then the receipt prints the help page's full address instead of a page that did not exist
    assert settings.PORTAL_BASE_URL.rstrip("/") + HELP_PATH in text
    assert "電子保証ポータルの案内をご覧ください" not in text
    # and the SHA-256 it prints is what the page's commands compute from the certificate PDF
    data = b"".join(certificate.streaming_content) if certificate.streaming else certificate.content
    assert re.findall(r"[0-9a-f]{64}", text) == [hashlib.sha256(data).hexdigest()]
