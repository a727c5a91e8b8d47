"""The portal's one error type: a machine-readable code for programs and a Japanese message for
people. Every app's own error derives from it, so a screen that calls into several apps maps any of
their refusals to a message with one ``except PortalError``."""

from __future__ import annotations


class PortalError(Exception):
    """``code`` names the refusal for programs and tests; ``message`` is what people read; ``field``,
    when given, names the form field the message belongs to."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
