"""The advance paperwork's one exception: a code for programs, a Japanese message for people."""

from guarantees.errors import GuaranteeError


class AdvanceError(GuaranteeError):
    """Raised by advances.services; a GuaranteeError so one ``except`` maps both to a message."""
