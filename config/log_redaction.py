"""A logging filter that keeps authentication keys and passwords out of every log line.

Views that receive a key are also marked ``@sensitive_post_parameters``, so Django's error reports
hide them; this filter is the second line, for anything that formats a key or a password into a
message by mistake.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# A 12-character run of the key alphabet (A–Z without I/O, 2–9, + and _), standing alone.
_KEY_PATTERN = re.compile(r"(?<![A-Za-z0-9+_])[A-HJ-NP-Z2-9+_]{12}(?![A-Za-z0-9+_])")
_SENSITIVE_NAMES = re.compile(r"(pass(word)?|auth_?key|secret|token|key)", re.IGNORECASE)
_ASSIGNMENT = re.compile(r"((?:pass(?:word)?|auth_?key|secret)\w*\s*[=:]\s*)(\S+)", re.IGNORECASE)
REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    text = _ASSIGNMENT.sub(lambda m: m.group(1) + REDACTED, text)
    return _KEY_PATTERN.sub(REDACTED, text)


def _redact_value(name: str, value: Any) -> Any:
    if _SENSITIVE_NAMES.search(name):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    return value


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            # Format the traceback now, redacted, and drop the live exception so that no formatter
            # prints the unredacted text (both logging's and the JSON formatter read exc_text).
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        for name, value in list(vars(record).items()):
            if name in _STANDARD_ATTRIBUTES:
                continue
            setattr(record, name, _redact_value(name, value))
        return True


_STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "request",
    "status_code",
}
