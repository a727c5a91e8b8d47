"""Uploaded documents: the type is read from the file's first bytes, not trusted from its name."""

from __future__ import annotations

from typing import Protocol

#: The largest upload accepted, per file.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)

EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}


def sniff_content_type(head: bytes) -> str | None:
    """The content type the first bytes announce, or None when it is none we accept."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


class _Seekable(Protocol):
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def read(self, size: int = -1, /) -> bytes: ...


def read_head(stream: _Seekable, size: int = 16) -> bytes:
    stream.seek(0)
    head = stream.read(size)
    stream.seek(0)
    return head


def name_matches(name: str, content_type: str) -> bool:
    return name.lower().endswith(EXTENSIONS[content_type])
