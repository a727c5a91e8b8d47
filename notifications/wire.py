"""The portal's mails on the wire: text and HTML alternatives, Japanese headers, nothing attached.

Django's ``EmailMessage.message()`` builds with the email package's modern API, which parses and
re-folds every header through ``email._header_value_parser``; even the package's older
``email.mime`` classes fold every header through ``email.header`` and compile a regular expression
per message to check the boundary. For the 16:00 notice that was most of a mail's cost
(docs/benchmarks.md). ``PortalMail`` writes the one structure the outbox sends directly: a
``multipart/alternative`` of a text and an HTML part, each base64 UTF-8 with CRLF line ends, RFC 2047
encoded words where a header is not ASCII (``email.header`` does that encoding, so it folds exactly as
the email package would). Django's SMTP backend sends it as any other message.
"""

from __future__ import annotations

import base64
import functools
import secrets
from email.header import Header
from email.message import Message
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

_CRLF = "\r\n"
#: Headers PortalMail writes itself; a caller's extra headers may not set them.
_OWN = frozenset({"from", "to", "cc", "bcc", "reply-to", "date", "subject", "mime-version", "content-type"})


@functools.lru_cache(maxsize=64)
def _address(value: str) -> str:
    """One address for a header: the display name encoded when it is not ASCII, the domain IDNA.
    (Cached: every mail of the outbox carries the same From.)"""
    name, address = parseaddr(value)
    local, _at, domain = address.rpartition("@")
    if domain and not domain.isascii():
        address = f"{local}@{domain.encode('idna').decode('ascii')}"
    return formataddr((name, address), charset="utf-8") if name else address


def _header(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"PortalMail refuses a line break in the {name} header")
    if value.isascii():
        return f"{name}: {value}"
    return f"{name}: " + Header(value, "utf-8", header_name=name).encode(linesep=_CRLF)


def _part(body: str, subtype: str) -> str:
    # RFC 2046 text: CRLF line ends, the last line ended too (as Django's set_content does)
    lines = body.replace("\r\n", "\n")
    canonical = (lines if lines.endswith("\n") else lines + "\n").replace("\n", _CRLF)
    encoded = base64.encodebytes(canonical.encode("utf-8")).decode("ascii").replace("\n", _CRLF)
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{_CRLF}'
        f"Content-Transfer-Encoding: base64{_CRLF}{_CRLF}{encoded}"
    )


class WireMessage(Message):
    """A finished mail: ``as_bytes()`` gives what PortalMail wrote, whatever policy is asked for
    (Django's SMTP backend asks for the SMTP policy: CRLF line ends, as written)."""

    def __init__(self, raw: bytes, headers: list[tuple[str, str]]) -> None:
        super().__init__()
        self._raw = raw
        self._headers = headers  # read-only view of what was written

    def as_bytes(self, unixfrom: bool = False, policy: Any = None) -> bytes:
        return self._raw

    def as_string(self, unixfrom: bool = False, maxheaderlen: int = 0, policy: Any = None) -> str:
        return self._raw.decode("ascii")

    __bytes__ = as_bytes

    def __str__(self) -> str:
        return self.as_string()


class PortalMail(EmailMultiAlternatives):
    """A text mail with one HTML alternative (every mail of the outbox), built cheaply."""

    def message(self, *, policy: Any = None) -> Message:  # type: ignore[override]
        if self.attachments or len(self.alternatives) != 1 or self.cc or self.reply_to:
            raise ValueError("PortalMail carries a text body, one HTML alternative and no attachment")
        html, mimetype = self.alternatives[0]
        if mimetype != "text/html":
            raise ValueError(f"PortalMail's alternative must be text/html, not {mimetype}")
        # base64 lines never start with "--" ('-' is not in its alphabet): any boundary is safe
        boundary = f"==============={secrets.token_hex(12)}=="
        content_type = f'multipart/alternative; boundary="{boundary}"'
        headers = [
            ("MIME-Version", "1.0"),
            ("Subject", str(self.subject)),
            ("From", _address(str(self.extra_headers.get("From", self.from_email)))),
            ("To", ", ".join(_address(to) for to in self.to)),
            ("Date", format_datetime(timezone.now())),
        ]
        for name, value in self.extra_headers.items():
            if name.lower() in _OWN:
                if name.lower() == "from":
                    continue
                raise ValueError(f"PortalMail sets {name} itself")
            headers.append((name, str(value)))
        delimiter = f"--{boundary}{_CRLF}"
        # Content-Type first, folded before its boundary (one line would pass the 78 characters)
        raw = f"Content-Type: {content_type.replace('; ', ';' + _CRLF + ' ')}{_CRLF}"
        raw += _CRLF.join(_header(name, value) for name, value in headers) + _CRLF + _CRLF
        raw += delimiter + _part(str(self.body), "plain") + delimiter + _part(str(html), "html")
        raw += f"--{boundary}--{_CRLF}"
        return WireMessage(raw.encode("ascii"), [("Content-Type", content_type), *headers])
