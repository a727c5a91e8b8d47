"""Every PDF carries the guarantor's PAdES signature; any change to the signed bytes is detected."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certificates import pdf, signing


def _validate(data: bytes, root_path):
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    assert len(reader.embedded_signatures) == 1
    embedded = reader.embedded_signatures[0]
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(root_path))])
    return embedded, validate_pdf_signature(embedded, context)


@pytest.fixture
def dev_root():
    signing.signing_material()  # creates the development pair on first use
    return signing.configured_pair_paths()["root_path"]


def test_a_certificate_pdf_carries_a_valid_certification_signature_of_the_guarantor(issued, dev_root):
    # given
    data = pdf.certificate_pdf(certificate=issued.certificates.get())
    # when
    embedded, status = _validate(data, dev_root)
    # then
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert embedded.docmdp_level == MDPPerm.NO_CHANGES
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert "電子証書署名" in status.signing_cert.subject.human_friendly


@pytest.mark.parametrize("document", ["notice", "receipt"])
def test_the_key_notice_and_the_receipt_are_signed_too(issued, dev_root, document):
    import datetime as dt

    if document == "notice":
        data = pdf.authkey_notice_pdf(guarantee=issued, key="K5VL4+5QG_KJ")
    else:
        data = pdf.verification_receipt_pdf(
            certificate=issued.certificates.get(), verified_at=dt.datetime.now(dt.UTC)
        )
    _embedded, status = _validate(data, dev_root)
    assert status.bottom_line


def test_a_one_byte_change_is_detected(issued, dev_root):
    # given: a signed certificate, and one byte of its signed range changed (in the binary comment
    # of the header, so the file still parses)
    data = bytearray(pdf.certificate_pdf(certificate=issued.certificates.get()))
    assert data.startswith(b"%PDF-1.7\n%")
    data[11] ^= 0x01
    # when
    _embedded, status = _validate(bytes(data), dev_root)
    # then
    assert not status.intact
    assert not status.bottom_line


def test_a_signature_from_another_root_is_not_trusted(issued, tmp_path, dev_root):
    # given: a second, unrelated development pair
    other = signing.pair_paths_in(tmp_path / "other")
    signing.create_development_pair(**other, overwrite=False)
    data = pdf.certificate_pdf(certificate=issued.certificates.get())
    # when
    _embedded, status = _validate(data, other["root_path"])
    # then: the bytes are intact but the signer is not one the orderer trusts
    assert status.intact
    assert not status.trusted


def test_the_key_and_certificate_can_come_from_pem_in_the_environment(issued, settings, tmp_path):
    # given: production-style settings with PEM text, and no files
    paths = signing.pair_paths_in(tmp_path / "prod")
    signing.create_development_pair(**paths, overwrite=False)
    settings.PDF_SIGNING_KEY_PEM = paths["key_path"].read_text()
    settings.PDF_SIGNING_CERT_PEM = paths["cert_path"].read_text()
    settings.PDF_SIGNING_CHAIN_PEM = paths["root_path"].read_text()
    settings.PDF_SIGNING_KEY = str(tmp_path / "absent-key.pem")
    signing.reset_signer()
    try:
        # when
        data = pdf.certificate_pdf(certificate=issued.certificates.get())
        # then
        _embedded, status = _validate(data, paths["root_path"])
        assert status.bottom_line
    finally:
        signing.reset_signer()


def test_without_a_configured_key_production_refuses_to_sign(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.PDF_SIGNING_KEY = str(tmp_path / "missing-key.pem")
    settings.PDF_SIGNING_CERT = str(tmp_path / "missing-cert.pem")
    settings.PDF_SIGNING_DEV_PAIR = False
    signing.reset_signer()
    try:
        with pytest.raises(ImproperlyConfigured):
            signing.signing_material()
        assert not (tmp_path / "missing-key.pem").exists()
    finally:
        signing.reset_signer()


def test_production_refuses_to_sign_with_a_development_certificate(settings, dev_root):
    from django.core.exceptions import ImproperlyConfigured

    settings.PDF_SIGNING_DEV_PAIR = False  # as in production, where the development secrets are refused
    signing.reset_signer()
    try:
        with pytest.raises(ImproperlyConfigured):
            signing.sign_pdf(b"%PDF-1.7", reason="x")
    finally:
        signing.reset_signer()


def test_the_command_creates_a_pair_once_and_replaces_it_only_when_forced(tmp_path):
    # when
    call_command("create_signing_pair", "--dir", str(tmp_path))
    first = (tmp_path / signing.DEV_KEY_NAME).read_bytes()
    call_command("create_signing_pair", "--dir", str(tmp_path))
    second = (tmp_path / signing.DEV_KEY_NAME).read_bytes()
    call_command("create_signing_pair", "--dir", str(tmp_path), "--force")
    third = (tmp_path / signing.DEV_KEY_NAME).read_bytes()
    # then
    assert first == second != third
    assert (tmp_path / signing.DEV_KEY_NAME).stat().st_mode & 0o077 == 0  # the key is private
    assert b"BEGIN CERTIFICATE" in (tmp_path / signing.DEV_CERT_NAME).read_bytes()


def test_signatures_after_the_first_come_from_its_template_and_are_each_valid(issued, dev_root):
    # given a signer that has made no signature yet
    signing.reset_signer()
    certificate = issued.certificates.get()
    # when: two certificates are signed, the second from the first one's container
    first = pdf.certificate_pdf(certificate=certificate)
    assert len(signing._signer()._templates) == 1
    second = pdf.authkey_notice_pdf(guarantee=issued, key="K5VL4+5QG_KJ")
    # then: both signatures are valid, each over its own document
    for data in (first, second):
        embedded, status = _validate(data, dev_root)
        assert status.bottom_line
        assert status.coverage.name == "ENTIRE_FILE"
        assert embedded.docmdp_level == MDPPerm.NO_CHANGES
    first_cms = PdfFileReader(io.BytesIO(first), strict=False).embedded_signatures[0].signed_data
    second_cms = PdfFileReader(io.BytesIO(second), strict=False).embedded_signatures[0].signed_data
    first_info, second_info = first_cms["signer_infos"][0], second_cms["signer_infos"][0]
    assert first_info["signature"].native != second_info["signature"].native
    digests = [
        {attribute["type"].native: attribute["values"].native for attribute in info["signed_attrs"]}
        for info in (first_info, second_info)
    ]
    assert digests[0]["message_digest"] != digests[1]["message_digest"]
    assert digests[0]["signing_certificate_v2"] == digests[1]["signing_certificate_v2"]


def test_a_signature_with_a_signing_time_attribute_is_never_a_template(issued):
    # given: what a CMS signature outside PAdES carries (a signingTime attribute, per signature)
    import asyncio
    import datetime as dt
    import hashlib

    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    signing.reset_signer()
    signer = signing._signer()
    attributes = PdfCMSSignedAttributes(signing_time=dt.datetime.now(dt.UTC))
    # when
    asyncio.run(signer.async_sign(hashlib.sha256(b"x").digest(), "sha256", signed_attr_settings=attributes))
    # then
    assert signer._templates == {}
