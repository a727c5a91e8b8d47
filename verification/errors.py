"""The verification app's one exception: a machine-readable code and a message for people."""

from __future__ import annotations

from portal.errors import PortalError


class VerificationError(PortalError):
    """``code`` is one of ``invalid`` (malformed input, see ``field_errors``), ``not_found`` (any failed
    match), ``throttled`` (a limit holds, see ``retry_after``) and ``unavailable`` (the limiter is down).
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field_errors: dict[str, list[str]] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(code, message)
        self.field_errors = field_errors or {}
        self.retry_after = retry_after
