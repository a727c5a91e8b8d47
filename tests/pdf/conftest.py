"""Shared set-up for the PDF tests: stored files go to a fresh folder per test."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest

from tests.factories import issue_guarantee


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def issued(contractor_a, orderer):
    """An electronic 前払金保証 of contractor A with its first certificate and key."""
    return issue_guarantee(contractor=contractor_a, orderer=orderer, key="K5VL4+5QG_KJ")


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat_text(data: bytes) -> str:
    """The text with line breaks removed (long values wrap on the page)."""
    return pdf_text(data).replace("\n", "")


def embedded_fonts(data: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, has an embedded font program) for every font of every page."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    found = []
    for page in reader.pages:
        resources: Any = page["/Resources"]
        fonts = resources["/Font"]
        for ref in fonts.values():
            font: Any = ref.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found
