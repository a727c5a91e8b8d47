"""A certificate version's PDF is rendered once, stored with its sha256 and template version, and
streamed afterwards; a new version makes a new document, never an overwrite."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from certificates import pdf
from certificates.models import CertificateDocument, CertificateImmutableError
from certificates.services import GuaranteeChanges, guarantee_change
from tests.factories import issue_guarantee


def test_issuing_a_certificate_stores_its_pdf_only_after_the_transaction_commits(
    contractor_a, orderer, django_capture_on_commit_callbacks
):
    # when: the issue's transaction has not committed yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer)
    certificate = guarantee.certificates.get()
    # then: nothing rendered yet; the commit runs the render task
    assert not CertificateDocument.objects.exists()
    for callback in callbacks:
        callback()
    document = CertificateDocument.objects.get(certificate=certificate)
    data = document.file.read()
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    assert document.template_version == pdf.TEMPLATE_VERSION
    assert document.kind == CertificateDocument.Kind.CERTIFICATE
    assert data.startswith(b"%PDF-")


def test_a_failed_issue_enqueues_nothing(issued, django_capture_on_commit_callbacks):
    from certificates.services import certificate_issue
    from guarantees.errors import GuaranteeError

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(GuaranteeError):
        certificate_issue(guarantee=issued, issued_by=None)  # already issued
    assert callbacks == []


def test_a_second_request_streams_the_stored_document_without_rendering(issued, django_assert_num_queries):
    # given
    certificate = issued.certificates.get()
    first = pdf.certificate_document(certificate=certificate)
    # when: one query finds the stored row
    with django_assert_num_queries(1):
        second = pdf.certificate_document(certificate=certificate)
    # then
    assert second.pk == first.pk
    assert pdf.read_document(second) == pdf.read_document(first)


def test_a_change_makes_a_new_document_and_keeps_the_old_one(issued, django_capture_on_commit_callbacks):
    # given
    v1 = issued.certificates.get()
    old = pdf.certificate_document(certificate=v1)
    old_bytes = pdf.read_document(old)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        outcome = guarantee_change(
            guarantee=issued,
            changes=GuaranteeChanges(guarantee_amount=30_000_000),
            changed_by=None,
            reason="減額",
        )
    # then
    assert outcome.certificate is not None
    new = CertificateDocument.objects.get(certificate=outcome.certificate)
    assert new.file.name != old.file.name
    assert new.sha256 != old.sha256
    old.refresh_from_db()
    assert pdf.read_document(old) == old_bytes


def test_a_new_template_version_leaves_an_issued_certificate_as_it_was_stored(
    issued, contractor_a, orderer, monkeypatch
):
    certificate = issued.certificates.get()
    old = pdf.certificate_document(certificate=certificate)
    monkeypatch.setattr(pdf, "TEMPLATE_VERSION", "test-next")
    assert pdf.certificate_document(certificate=certificate).pk == old.pk
    assert pdf.stored_certificate_document_where(pk=certificate.pk) == old
    assert list(certificate.documents.values_list("template_version", flat=True)) == [old.template_version]

    later = issue_guarantee(contractor=contractor_a, orderer=orderer).certificates.get()
    assert pdf.certificate_document(certificate=later).template_version == "test-next"


def test_a_stored_document_can_be_neither_changed_nor_duplicated(issued):
    document = pdf.certificate_document(certificate=issued.certificates.get())
    document.sha256 = "0" * 64
    with pytest.raises(CertificateImmutableError):
        document.save()
    with pytest.raises(CertificateImmutableError):
        document.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateDocument.objects.create(
            certificate=document.certificate,
            kind=document.kind,
            template_version=document.template_version,
            sha256="a" * 64,
            size=1,
            file="documents/other.pdf",
        )


def test_a_stored_file_changed_on_disk_is_never_served(issued):
    document = pdf.certificate_document(certificate=issued.certificates.get())
    path = document.file.path
    with open(path, "r+b") as handle:
        handle.seek(20)
        byte = handle.read(1)
        handle.seek(20)
        handle.write(bytes([byte[0] ^ 0x01]))
    with pytest.raises(pdf.DocumentIntegrityError):
        pdf.read_document(document)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_requests_store_exactly_one_document(contractor_a, orderer, media_root):
    # given: a committed certificate (the tests' eager Celery rendered its PDF at commit) ...
    certificate = issue_guarantee(contractor=contractor_a, orderer=orderer).certificates.get()
    rendered_at_commit = CertificateDocument.objects.get(certificate=certificate)
    # ... which we take away again, so that three downloads arrive before any PDF exists
    Path(rendered_at_commit.file.path).unlink()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM certificates_certificatedocument WHERE id = %s", [rendered_at_commit.pk])
    barrier = threading.Barrier(3)
    results: list[str] = []
    errors: list[BaseException] = []

    def download() -> None:
        try:
            barrier.wait()
            results.append(pdf.certificate_document(certificate=certificate).sha256)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(3)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert errors == []
    assert CertificateDocument.objects.filter(certificate=certificate).count() == 1
    assert len(set(results)) == 1
    stored = list((media_root / "documents" / "certificates" / certificate.contract_number).glob("*.pdf"))
    assert len(stored) == 1
