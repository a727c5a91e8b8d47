"""The accounts domain's one exception, with a machine-readable code and a message for people."""

from portal.errors import PortalError


class AccountError(PortalError):
    def __init__(self, code: str, message: str, *, field: str | None = None, retry_after: int = 0) -> None:
        super().__init__(code, message, field=field)
        self.retry_after = retry_after  # seconds, for refusals by a limit (429) or when it is down (503)
