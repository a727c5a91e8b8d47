"""The notifications app's one exception, with a machine-readable code and a message for people."""


class NotificationError(Exception):
    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class PermanentMailError(Exception):
    """A mail that can never be sent as queued (its key was reissued, its record is gone)."""
