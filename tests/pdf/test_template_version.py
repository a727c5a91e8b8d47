"""What a stored certificate PDF was rendered from is pinned by ``pdf.TEMPLATE_VERSION``: the files
it is made of cannot change under a released version, and an earlier version's document is never
rendered again with today's files."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from certificates import pdf
from certificates.models import CertificateDocument

#: Each certificate template version and the fingerprint of its sources
#: (``pdf.certificate_sources_fingerprint()``). A released version keeps its fingerprint forever:
#: changing the template, the shared body, the stylesheet or the font needs a new version here and
#: in ``pdf.TEMPLATE_VERSION``. (Versions before 2026.12-1 predate the fingerprint.)
RELEASED = {
    "2026.12-1": "5443cb07b1f48519abceb49b44cd4f613b8d404e6de05bd21ce6119fecdfa561",
}


def test_the_certificate_sources_are_those_of_the_current_template_version():
    assert pdf.TEMPLATE_VERSION in RELEASED
    assert pdf.certificate_sources_fingerprint() == RELEASED[pdf.TEMPLATE_VERSION], (
        "What a certificate PDF is rendered from changed (pdf.CERTIFICATE_SOURCES): bump "
        "pdf.TEMPLATE_VERSION and add the new version with its fingerprint to RELEASED."
    )


def test_every_released_version_has_its_own_sources():
    assert len(set(RELEASED.values())) == len(RELEASED)


def test_the_fingerprint_covers_the_body_the_screens_share(settings, tmp_path):
    # given a copy of the project's sources with one character of the shared body changed
    for name in pdf.CERTIFICATE_SOURCES:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((settings.BASE_DIR / name).read_bytes())
    body = tmp_path / "templates/certificates/_certificate.html"
    body.write_text(body.read_text().replace("保証期間", "保証の期間"))
    # when
    settings.BASE_DIR = tmp_path
    # then
    assert pdf.certificate_sources_fingerprint() != RELEASED[pdf.TEMPLATE_VERSION]


def test_a_lost_document_of_an_earlier_template_is_never_rendered_again_with_todays(issued, monkeypatch):
    # given a document stored under an earlier template version, whose file is then lost
    certificate = issued.certificates.get()
    monkeypatch.setattr(pdf, "TEMPLATE_VERSION", "2026.11-1")
    old = pdf.certificate_document(certificate=certificate)
    monkeypatch.undo()
    default_storage.delete(str(old.file.name))
    # when / then: restoring it refuses, and the row still names the lost file
    with pytest.raises(pdf.DocumentIntegrityError):
        pdf.restore_lost_document(document=old)
    assert CertificateDocument.objects.get(pk=old.pk).sha256 == old.sha256
