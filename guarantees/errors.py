"""The guarantee domain's one exception, with a machine-readable code and a message for people."""

from portal.errors import PortalError


class GuaranteeError(PortalError):
    """Raised by guarantees, authkeys and certificates services."""
