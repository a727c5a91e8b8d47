"""A logging filter that keeps authentication keys and passwords out of every log line.

Views that receive a key are also marked ``@sensitive_post_parameters``, so Django's error reports
hide them; this filter is the second line, for anything that formats a key or a password into a
message by mistake, and for addresses: a key or a token typed into a query string (``?key=…``,
also url-encoded, ``%2B`` for ``+``) is redacted wherever an address is logged — Django's request
warnings, the request object attached to them, and gunicorn's access line (config/gunicorn.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlencode

# One character of the key alphabet (A–Z without I/O, 2–9, + and _), also url-encoded.
_KEY_CHAR = r"(?:[A-HJ-NP-Z2-9+_]|%2[Bb]|%5[Ff])"
# A 12-character run of it, standing alone.
_KEY_PATTERN = re.compile(rf"(?<![A-Za-z0-9+_]){_KEY_CHAR}{{12}}(?![A-Za-z0-9+_]|%2[Bb]|%5[Ff])")
_SENSITIVE_NAMES = re.compile(r"(pass(word)?|auth_?key|secret|token|key)", re.IGNORECASE)
_ASSIGNMENT = re.compile(r"((?:pass(?:word)?|auth_?key|secret)\w*\s*[=:]\s*)(\S+)", re.IGNORECASE)
#: Names of query parameters whose value is a secret (a key, a password, a token).
SENSITIVE_PARAMETER = re.compile(r"^(?:\w*key|pass(?:word)?\w*|\w*token|\w*secret)$", re.IGNORECASE)
# ``?key=…`` / ``&auth_key=…`` in an address, also with ``?``, ``&`` and ``=`` url-encoded (an
# address inside a ``next=`` parameter).
_QUERY_PARAMETER = re.compile(
    r"((?:[?&;]|%3[Ff]|%26)(?:\w*key|pass(?:word)?\w*|\w*token|\w*secret)(?:=|%3[Dd]))"
    r"((?:(?!%26)[^&;\s\"'])*)",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    text = _QUERY_PARAMETER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _ASSIGNMENT.sub(lambda m: m.group(1) + REDACTED, text)
    return _KEY_PATTERN.sub(REDACTED, text)


def path_without_secrets(path: str, query: Any) -> str:
    """``path`` with the query ``query`` (a QueryDict) minus any parameter that carries a secret."""
    kept = [
        (name, value)
        for name, values in query.lists()
        for value in values
        if not SENSITIVE_PARAMETER.match(name)
    ]
    return f"{path}?{urlencode(kept)}" if kept else path


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
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            # The JSON formatter prints extra attributes with str(): a request shows its full
            # address, query included. The logger's own handlers have used the object already.
            record.request = redact_text(repr(request))
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
