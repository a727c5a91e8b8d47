"""The notifications app's one exception, with a machine-readable code and a message for people."""

from portal.errors import PortalError


class NotificationError(PortalError):
    """Raised by notifications.services."""


class PermanentMailError(Exception):
    """A mail that can never be sent as queued (its key was reissued, its record is gone)."""
