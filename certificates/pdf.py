"""PDFs of certificates, key notices and verification receipts: WeasyPrint, then the guarantor's
signature. One entry point per document:

- ``certificate_document(certificate=...)``: the stored, signed PDF of one certificate version;
  rendered once (by ``tasks.certificate_render_pdf_task`` after commit, or here on first request)
  and streamed from storage afterwards.
- ``authkey_notice_pdf(guarantee=..., key=...)``: 保証契約等の内容 with the 認証キー and its QR code.
  Contains the secret, so it is rendered on demand and never stored.
- ``verification_receipt_pdf(certificate=..., verified_at=...)``: what an orderer verified, and when.

Rendering never reaches the network: ``ProjectFetcher`` serves the project's static files and
``data:`` URLs and refuses everything else. Templates are Django templates with autoescaping, so
every value from the database is escaped. The font is the shipped IPAex Mincho (static/fonts/), so a
PDF looks the same on every machine. One ``FontConfiguration``, one fetcher and the two compiled
stylesheets (the certificate's, the other documents') are reused per process (docs/pdf.md has the
figures).

WeasyPrint, pyHanko and qrcode are imported where a PDF is made, not when this module is: the URLs
import the PDF views, so a module-level import would cost every ``manage.py`` command and worker
seconds of start-up (docs/benchmarks.md). Gunicorn and PDF workers load them once at start-up
(``warm_up``).
"""

from __future__ import annotations

import atexit
import base64
import datetime as dt
import functools
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from guarantees.models import Guarantee, GuaranteeKind
from guarantees.status import certificate_status, version_note

from .models import Certificate, CertificateDocument

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

logger = logging.getLogger(__name__)

#: The version of what a stored certificate PDF is rendered from (``CERTIFICATE_SOURCES``). Bump it
#: when any of them changes: certificates rendered from then on carry the new version; a certificate
#: already stored keeps its document (the certificate as issued is never rendered again).
#: tests/pdf/test_template_version.py holds each version's fingerprint of the sources.
TEMPLATE_VERSION = "2026.12-1"

STATIC_DIR = Path(settings.BASE_DIR) / "static"
STYLESHEET = STATIC_DIR / "pdf" / "documents.css"
CERTIFICATE_STYLESHEET = STATIC_DIR / "pdf" / "certificate.css"

#: Every file a certificate PDF is made of, relative to the project: the PDF's frame, the body it
#: shares with the certificate screens, its stylesheet and the font.
CERTIFICATE_SOURCES = (
    "templates/pdf/base.html",
    "templates/pdf/certificate.html",
    "templates/certificates/_certificate.html",
    "static/pdf/certificate.css",
    "static/fonts/ipaexm.ttf",
)


def certificate_sources_fingerprint() -> str:
    """sha256 over ``CERTIFICATE_SOURCES`` (names and contents): what ``TEMPLATE_VERSION`` pins."""
    digest = hashlib.sha256()
    for name in CERTIFICATE_SOURCES:
        data = (Path(settings.BASE_DIR) / name).read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@functools.cache
def _fetch_classes() -> tuple[type[Exception], type[Any]]:
    """``RefusedFetch`` and ``ProjectFetcher``, built on WeasyPrint's classes on first use."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class RefusedFetch(FatalURLFetchingError):
        """A template or value asked the renderer for something outside the project."""

    class ProjectFetcher(URLFetcher):
        """Serves ``file:`` URLs inside the project's static folder and ``data:`` URLs; nothing else."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
            self._root = root.resolve()

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if not url.startswith("file:"):
                raise RefusedFetch(f"PDF rendering refuses {url[:80]!r}")
            path = Path(URLFetcherResponse(url).path or "").resolve()
            if not path.is_relative_to(self._root) or not path.is_file():
                raise RefusedFetch(f"PDF rendering refuses {url[:80]!r}")
            return URLFetcherResponse(path.as_uri(), path.read_bytes())

    return RefusedFetch, ProjectFetcher


def __getattr__(name: str) -> Any:
    # ``pdf.RefusedFetch`` and ``pdf.ProjectFetcher`` without importing WeasyPrint with this module.
    if name == "RefusedFetch":
        return _fetch_classes()[0]
    if name == "ProjectFetcher":
        return _fetch_classes()[1]
    raise AttributeError(name)


@dataclass(frozen=True)
class _Renderer:
    font_config: FontConfiguration
    fetcher: Any  # ProjectFetcher
    stylesheet: CSS  # documents.css: every document but the certificate
    certificate_stylesheet: CSS  # certificate.css
    base_url: str


@functools.cache
def _renderer() -> _Renderer:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    # WeasyPrint copies the @font-face fonts (7.5 MB of IPAex Mincho) into a temporary folder that
    # the configuration removes when it is collected; collected at interpreter shutdown, its clean-up
    # finds the standard library already torn down and the folder stays in /tmp, one per worker.
    # Dropping the renderer at exit, while everything is still there, lets it clean up.
    atexit.register(release)  # Celery's prefork children skip atexit: certificates.tasks
    fetcher = _fetch_classes()[1](STATIC_DIR)

    def compiled(path: Path) -> CSS:
        return CSS(filename=str(path), font_config=font_config, url_fetcher=fetcher, base_url=path.as_uri())

    return _Renderer(
        font_config,
        fetcher,
        compiled(STYLESHEET),
        compiled(CERTIFICATE_STYLESHEET),
        base_url=STATIC_DIR.as_uri() + "/",
    )


def release() -> None:
    """Drop this process's renderer; WeasyPrint then removes its copy of the font."""
    _renderer.cache_clear()


def warm_up() -> None:
    """Load the font, the stylesheet and the signing key now rather than on the first PDF (worker
    start-up): the first render in a process otherwise costs over a second."""
    from . import signing

    _renderer()
    signing.signing_certificate()


def render_pdf(
    template_name: str, context: dict[str, Any], *, reason: str, stylesheet: CSS | None = None
) -> bytes:
    """Render a template of templates/pdf/ to PDF and sign it. The one place WeasyPrint is called.
    ``stylesheet`` defaults to documents.css."""
    from weasyprint import HTML

    from . import signing

    renderer = _renderer()
    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=renderer.base_url, url_fetcher=renderer.fetcher)
    pdf = document.write_pdf(
        stylesheets=[stylesheet or renderer.stylesheet], font_config=renderer.font_config
    )
    assert pdf is not None  # noqa: S101 - write_pdf without a target returns the bytes
    return signing.sign_pdf(pdf, reason=reason, location=settings.PDF_SIGNING_LOCATION)


# --- The certificate ------------------------------------------------------------------------------


def certificate_pdf(*, certificate: Certificate) -> bytes:
    """Render one certificate version (not stored: ``certificate_document`` stores it). Always in
    Japanese, whatever the language of the request that happens to render it first: the stored
    document is the same for everyone."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(
            "pdf/certificate.html",
            {
                "certificate": certificate,
                "document_title": f"{certificate.title} {certificate.contract_number}",
            },
            reason=f"{certificate.title} 第{certificate.version}版",
            stylesheet=_renderer().certificate_stylesheet,
        )


def _stored_name(certificate: Certificate, digest: str) -> str:
    return (
        f"{settings.PDF_STORAGE_DIR}/certificates/{certificate.contract_number}/"
        f"{certificate.contract_number}-v{certificate.version}-t{TEMPLATE_VERSION}-{digest[:16]}.pdf"
    )


def stored_certificate_document(*, certificate: Certificate) -> CertificateDocument | None:
    """The document first stored for ``certificate``, whatever template it was rendered from: the
    certificate as issued, never rendered again under a later template."""
    return (
        CertificateDocument.objects.filter(certificate=certificate, kind=CertificateDocument.Kind.CERTIFICATE)
        .order_by("created_at", "id")
        .first()
    )


def stored_certificate_document_where(**certificate_lookups: Any) -> CertificateDocument | None:
    """The stored document of the certificate matching ``certificate_lookups`` (keys as on
    Certificate), with its certificate, in one query: the download's usual path."""
    lookups = {f"certificate__{key}": value for key, value in certificate_lookups.items()}
    return (
        CertificateDocument.objects.select_related("certificate")
        .filter(kind=CertificateDocument.Kind.CERTIFICATE, **lookups)
        .order_by("created_at", "id")
        .first()
    )


def certificate_document(*, certificate: Certificate) -> CertificateDocument:
    """The stored PDF of ``certificate``, rendering it once (from the current template) if none is.

    Race-safe: renderers of the same version queue on a row lock of the certificate, and the unique
    constraint on (certificate, kind, template version) backs that up, so exactly one document is
    kept. A new certificate version is a new row; nothing is ever overwritten.
    """
    document = stored_certificate_document(certificate=certificate)
    if document is not None:
        return document
    with transaction.atomic():
        Certificate.objects.select_for_update().filter(pk=certificate.pk).first()
        document = stored_certificate_document(certificate=certificate)
        if document is not None:
            return document
        pdf = certificate_pdf(certificate=certificate)
        digest = hashlib.sha256(pdf).hexdigest()
        name = default_storage.save(_stored_name(certificate, digest), ContentFile(pdf))
        try:
            with transaction.atomic():
                document = CertificateDocument.objects.create(
                    certificate=certificate,
                    kind=CertificateDocument.Kind.CERTIFICATE,
                    template_version=TEMPLATE_VERSION,
                    sha256=digest,
                    size=len(pdf),
                    file=name,
                )
        except IntegrityError:
            default_storage.delete(name)
            document = stored_certificate_document(certificate=certificate)
            if document is None:
                raise
            return document
    logger.info(
        "Stored certificate PDF %s v%s (%s)", certificate.contract_number, certificate.version, digest
    )
    return document


def restore_lost_document(*, document: CertificateDocument) -> CertificateDocument:
    """Render again a stored certificate PDF whose file has disappeared (lost media, a restore
    without the media backup). The certificate version is immutable and the document is of the
    current template, so the new file says the same; its signature time and so its sha256 differ,
    which the row records. A document of an earlier template is never rendered again (today's
    template would print it differently), and a file that exists but does not match its sha256 is
    never replaced here: that is tampering, for people to look at."""
    with transaction.atomic():
        locked = (
            CertificateDocument.objects.select_for_update().select_related("certificate").get(pk=document.pk)
        )
        if default_storage.exists(str(locked.file.name)):
            return locked  # another request restored it meanwhile
        if locked.template_version != TEMPLATE_VERSION:
            # Today's template would print something else than the document that was stored.
            raise DocumentIntegrityError(
                f"The stored PDF {locked.file.name} of template {locked.template_version} is missing; "
                "it cannot be rendered again as it was."
            )
        pdf = certificate_pdf(certificate=locked.certificate)
        digest = hashlib.sha256(pdf).hexdigest()
        lost = str(locked.file.name)
        name = default_storage.save(_stored_name(locked.certificate, digest), ContentFile(pdf))
        # The one change a stored document row may see (its save() refuses all others): pointing at
        # the file that replaces a lost one.
        CertificateDocument.objects.filter(pk=locked.pk).update(file=name, sha256=digest, size=len(pdf))
        locked.refresh_from_db()
    logger.error(
        "The stored PDF %s was missing; rendered %s v%s again (%s)",
        lost,
        locked.certificate.contract_number,
        locked.certificate.version,
        digest,
    )
    return locked


def read_document(document: CertificateDocument) -> bytes:
    """The stored bytes, checked against the recorded sha256 (a changed file is never served)."""
    with default_storage.open(str(document.file.name), "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise DocumentIntegrityError(f"The stored PDF {document.file.name} does not match its sha256.")
    return data


class DocumentIntegrityError(Exception):
    """A stored PDF was changed after it was written."""


# --- The key notice (保証契約等の内容) --------------------------------------------------------------


def verify_url(*, contract_number: str, key: str) -> str:
    """The verification page with the number filled in; the key only in the fragment, so it never
    reaches a server (or its logs). The key is percent-encoded: ``+`` would read as a space."""
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return f"{base}/verify/?{urlencode({'number': contract_number})}#key={quote(key, safe='')}"


def qr_data_url(text: str) -> str:
    """A QR code of ``text`` as an SVG ``data:`` URL (vector, so it prints sharp): one path of the dark
    modules, a rectangle per horizontal run of them, one unit (1 mm) a module, the quiet zone two
    modules wide. (qrcode's own SVG path draws every module as its own square, which WeasyPrint then
    parses and draws point by point: most of the key notice's drawing time.)"""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    matrix = code.get_matrix()  # with the quiet zone
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            runs.append(f"M{start},{y}H{x}V{y + 1}H{start}z")
    svg = (
        f'<svg width="{size}mm" height="{size}mm" version="1.1" viewBox="0 0 {size} {size}" '
        f'xmlns="http://www.w3.org/2000/svg"><path d="{"".join(runs)}" fill="#000000" stroke="none"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def authkey_notice_pdf(*, guarantee: Guarantee, key: str, printed_at: dt.datetime | None = None) -> bytes:
    """The notice a contractor submits to the orderer. Render on demand; never store it.

    The printed fields come from the latest certificate version (what the orderer will see).
    """
    certificate = Certificate.objects.filter(guarantee=guarantee).order_by("-version").first()
    if certificate is None:
        raise ValueError("A guarantee without a certificate has no key notice.")
    url = verify_url(contract_number=certificate.contract_number, key=key)
    return render_pdf(
        "pdf/authkey_notice.html",
        {
            "certificate": certificate,
            "kind_label": GuaranteeKind(certificate.kind).label,
            "key": key,
            "qr": qr_data_url(url),
            "printed_at": timezone.localtime(printed_at or timezone.now()),
            "document_title": f"保証契約等の内容 {certificate.contract_number}",
        },
        reason="保証契約等の内容",
    )


# --- The verification receipt ---------------------------------------------------------------------


def verification_receipt_pdf(
    *, certificate: Certificate, verified_at: dt.datetime, verification_id: int | None = None
) -> bytes:
    """What an orderer verified: the certificate version, its status as the verify page reads it
    when the receipt is printed (``guarantees.status``), and when it was verified."""
    guarantee = Guarantee.objects.get(pk=certificate.guarantee_id)  # its status now
    versions = list(Certificate.objects.filter(guarantee_id=certificate.guarantee_id).order_by("-version"))
    banner = certificate_status(guarantee=guarantee, versions=versions)
    latest_version = versions[0].version
    document = certificate_document(certificate=certificate)
    return render_pdf(
        "pdf/verification_receipt.html",
        {
            "certificate": certificate,
            "status_label": banner.label,
            "version_note": version_note(shown=certificate.version, newest=latest_version),
            "is_active": banner.in_force,
            "latest_version": latest_version,
            "is_latest": latest_version == certificate.version,
            "verified_at": timezone.localtime(verified_at),
            "verification_id": verification_id,
            "printed_at": timezone.localtime(timezone.now()),
            "document": document,
            "document_title": f"電子証書の確認記録 {certificate.contract_number}",
        },
        reason="電子証書の確認記録",
    )
