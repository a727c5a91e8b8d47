"""Downloads of PDFs. Contractors get their own certificates and key notices; orderers get what their
verified-access token names; staff download in admin (certificates/admin.py). Anyone else: 404.

Views only check who may have what and stream; rendering and storage are in certificates/pdf.py.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from authkeys.keys import normalize_contract_number
from authkeys.services import authkey_reveal
from guarantees.errors import GuaranteeError
from guarantees.models import Guarantee

from . import pdf
from .models import Certificate, CertificateDocument
from .tokens import VerifiedAccess, read_verified_access_token

logger = logging.getLogger(__name__)


def _contractor_id(user: User | AnonymousUser) -> int:
    """The contractor a logged-in contractor user acts for; 404 for everyone else (no hint)."""
    if not user.is_authenticated or not isinstance(user, User) or user.contractor_id is None:
        raise Http404
    return user.contractor_id


def pdf_response(data: bytes, *, filename: str, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(data))
    if etag:
        response["ETag"] = f'"{etag}"'
    # A certificate or a key notice must not stay in a browser's or a proxy's cache.
    patch_cache_control(response, private=True, no_store=True)
    return response


def stored_document_response(request: HttpRequest, document: CertificateDocument) -> HttpResponse:
    """Stream a stored certificate PDF; its sha256 is the ETag, so a second fetch can be a 304."""
    etag = f'"{document.sha256}"'
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers={"ETag": etag})
    certificate = document.certificate
    filename = f"certificate-{certificate.contract_number}-v{certificate.version}.pdf"
    try:
        data = pdf.read_document(document)
    except FileNotFoundError:
        document = pdf.restore_lost_document(document=document)
        data = pdf.read_document(document)
    except pdf.DocumentIntegrityError:
        logger.error("Refused to serve %s: it does not match its recorded sha256", document.file.name)
        response = render(request, "pdf/unavailable.html", status=503)
        patch_cache_control(response, no_store=True)
        return response
    return pdf_response(data, filename=filename, etag=document.sha256)


@require_GET
def certificate_download(request: HttpRequest, number: str, version: int) -> HttpResponse:
    """documents:certificate — a contractor's own certificate version (stored, signed)."""
    contractor_id = _contractor_id(request.user)
    lookups = {
        "contract_number": normalize_contract_number(number),
        "version": version,
        "guarantee__contractor_id": contractor_id,
    }
    document = pdf.stored_certificate_document_where(**lookups)
    if document is None:  # not rendered yet (the worker is behind)
        certificate = get_object_or_404(Certificate, **lookups)
        document = pdf.certificate_document(certificate=certificate)
        document.certificate = certificate
    return stored_document_response(request, document)


@require_POST
def authkey_notice_download(request: HttpRequest, number: str) -> HttpResponse:
    """documents:authkey_notice — 保証契約等の内容をPDF出力 (POST: it displays the key, which is
    audited like the 表示 button). Rendered for this request only; never stored or cached."""
    contractor_id = _contractor_id(request.user)
    guarantee = get_object_or_404(
        Guarantee, number=normalize_contract_number(number), contractor_id=contractor_id
    )
    if not guarantee.certificates.exists():
        raise Http404
    try:
        key = authkey_reveal(guarantee=guarantee, user=request.user)  # type: ignore[arg-type]
    except GuaranteeError as exc:  # a paper guarantee, or no live key
        raise Http404 from exc
    data = pdf.authkey_notice_pdf(guarantee=guarantee, key=key)
    return pdf_response(data, filename=f"authkey-notice-{guarantee.number}.pdf")


def _verified_certificate(token: str) -> tuple[Certificate, VerifiedAccess]:
    access = read_verified_access_token(token)
    if access is None:
        raise Http404
    certificate = Certificate.objects.select_related("guarantee").filter(pk=access.certificate_id).first()
    if certificate is None:
        raise Http404
    return certificate, access


@require_GET
def verified_certificate_download(request: HttpRequest, token: str) -> HttpResponse:
    """documents:verified_certificate — the certificate version an orderer has just verified."""
    access = read_verified_access_token(token)
    if access is None:
        raise Http404
    document = pdf.stored_certificate_document_where(pk=access.certificate_id)
    if document is None:
        certificate, _access = _verified_certificate(token)
        document = pdf.certificate_document(certificate=certificate)
        document.certificate = certificate
    return stored_document_response(request, document)


@require_GET
def verification_receipt_download(request: HttpRequest, token: str) -> HttpResponse:
    """documents:verification_receipt — what the orderer verified and when, for their files."""
    certificate, access = _verified_certificate(token)
    if access.verified_at is None:
        raise Http404
    data = pdf.verification_receipt_pdf(
        certificate=certificate, verified_at=access.verified_at, verification_id=access.verification_id
    )
    filename = f"verification-{certificate.contract_number}-v{certificate.version}.pdf"
    return pdf_response(data, filename=filename)
