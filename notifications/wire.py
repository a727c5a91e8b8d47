"""The portal's mails on the wire: text and HTML alternatives, Japanese headers, nothing attached.

Django's ``EmailMessage.message()`` builds with the email package's modern API, which parses and
re-folds every header through ``email._header_value_parser``; for the 16:00 notice that was most of
a mail's cost (docs/benchmarks.md). ``PortalMail`` builds the same MIME structure with the email
package's ``email.mime`` classes and ``email.header`` (the compat32 API, still the standard
library's), which encode without parsing: base64 UTF-8 bodies, RFC 2047 encoded words in headers,
CRLF line ends. Django's SMTP backend sends it as any other message.
"""

from __future__ import annotations

import email.policy
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

_WIRE = email.policy.compat32.clone(linesep="\r\n")


def _address(value: str) -> str:
    """One address for a header: the display name encoded when it is not ASCII, the domain IDNA."""
    name, address = parseaddr(value)
    local, _at, domain = address.rpartition("@")
    if domain and not domain.isascii():
        address = f"{local}@{domain.encode('idna').decode('ascii')}"
    return formataddr((name, address), charset="utf-8") if name else address


class PortalMail(EmailMultiAlternatives):
    """A text mail with one HTML alternative (every mail of the outbox), built cheaply."""

    def message(self, *, policy: Any = None) -> Message:  # type: ignore[override]
        if self.attachments or len(self.alternatives) != 1 or self.cc or self.reply_to:
            raise ValueError("PortalMail carries a text body, one HTML alternative and no attachment")
        html, mimetype = self.alternatives[0]
        if mimetype != "text/html":
            raise ValueError(f"PortalMail's alternative must be text/html, not {mimetype}")
        root = MIMEMultipart("alternative", policy=_WIRE)
        root["Subject"] = Header(str(self.subject), "utf-8")  # type: ignore[assignment]  # compat32 takes a Header
        root["From"] = _address(str(self.extra_headers.get("From", self.from_email)))
        root["To"] = ", ".join(_address(to) for to in self.to)
        root["Date"] = format_datetime(timezone.now())
        for name, value in self.extra_headers.items():
            if name.lower() in {"from", "to", "cc", "bcc", "reply-to", "date"}:
                raise ValueError(f"PortalMail sets {name} itself")
            root[name] = str(value)
        for body, subtype in ((str(self.body), "plain"), (str(html), "html")):
            # RFC 2046 text: CRLF line ends, the last line ended too (as Django's set_content does)
            lines = body.replace("\r\n", "\n")
            canonical = (lines if lines.endswith("\n") else lines + "\n").replace("\n", "\r\n")
            part = MIMEText(canonical, subtype, "utf-8", policy=_WIRE)
            del part["MIME-Version"]  # once, on the root
            root.attach(part)
        return root
