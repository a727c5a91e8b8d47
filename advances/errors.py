"""The advance paperwork's one exception: a code for programs, a Japanese message for people."""

from portal.errors import PortalError


class AdvanceError(PortalError):
    """Raised by advances.services."""
