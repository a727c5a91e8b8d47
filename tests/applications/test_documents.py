"""Uploads: PDF, JPEG or PNG by their content, with a size limit, stored under a neutral name."""
# mypy: disable-error-code="union-attr,operator"

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from applications import documents
from applications.errors import ApplicationError
from applications.models import ApplicationDocument
from applications.services import drafts

from .conftest import JPEG_BYTES, PDF_BYTES, PNG_BYTES, pdf


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("keiyaku.PDF", PDF_BYTES, "application/pdf"),
        ("写真.jpg", JPEG_BYTES, "image/jpeg"),
        ("写真.jpeg", JPEG_BYTES, "image/jpeg"),
        ("scan.png", PNG_BYTES, "image/png"),
    ],
)
def test_pdf_jpeg_and_png_are_accepted_and_typed_by_content(draft, user_a, name, content, content_type):
    document = drafts.application_document_add(
        application=draft, user=user_a, doc_type="other", upload=SimpleUploadedFile(name, content)
    )
    assert document.content_type == content_type
    assert document.original_name == name
    assert document.file.name.startswith(f"applications/{draft.pk}/")
    assert name not in document.file.name
    with document.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("keiyaku.pdf", b"MZ\x90\x00 not a pdf", "unsupported_type"),
        ("keiyaku.pdf", b"<html><script>", "unsupported_type"),
        ("keiyaku.pdf", PNG_BYTES, "name_type_mismatch"),
        ("keiyaku.exe", PDF_BYTES, "name_type_mismatch"),
        ("keiyaku.pdf", b"", "empty_file"),
    ],
)
def test_other_files_are_refused_with_a_message(draft, user_a, name, content, code):
    before = ApplicationDocument.objects.count()
    with pytest.raises(ApplicationError) as refused:
        drafts.application_document_add(
            application=draft, user=user_a, doc_type="contract", upload=SimpleUploadedFile(name, content)
        )
    assert refused.value.code == code
    assert refused.value.field == "file"
    assert ApplicationDocument.objects.count() == before


def test_a_file_over_the_size_limit_is_refused(draft, user_a):
    big = pdf(content=PDF_BYTES + b"0" * documents.MAX_UPLOAD_BYTES)
    with pytest.raises(ApplicationError) as refused:
        drafts.application_document_add(application=draft, user=user_a, doc_type="contract", upload=big)
    assert refused.value.code == "file_too_large"
    assert "10MB" in refused.value.message


def test_documents_cannot_be_changed_once_submitted(submitted, user_a):
    with pytest.raises(ApplicationError) as refused:
        drafts.application_document_add(application=submitted, user=user_a, doc_type="other", upload=pdf())
    assert refused.value.code == "not_editable"


@given(st.binary(max_size=24))
def test_sniffing_accepts_only_the_three_signatures(head):
    detected = documents.sniff_content_type(head)
    expected = (
        "application/pdf"
        if head.startswith(b"%PDF-")
        else "image/jpeg"
        if head.startswith(b"\xff\xd8\xff")
        else "image/png"
        if head.startswith(b"\x89PNG\r\n\x1a\n")
        else None
    )
    assert detected == expected


@given(st.text(alphabet="0123456789０１２３４５６７８９-－ー ", max_size=20))
def test_account_numbers_are_normalised_not_rejected(raw):
    from applications.forms import normalize_account_number

    digits = "".join(ch for ch in raw if ch.isdigit())
    normalised = normalize_account_number(raw)
    assert normalised.isdigit() or normalised == ""
    assert len(normalised) == len(digits)
