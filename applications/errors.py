"""The application flow's one exception: a code for programs, a Japanese message for people."""

from portal.errors import PortalError


class ApplicationError(PortalError):
    """Raised by applications.services.

    ``step`` names the form step that holds ``field`` so the confirm page can link to it.
    """

    def __init__(self, code: str, message: str, *, field: str | None = None, step: str | None = None) -> None:
        super().__init__(code, message, field=field)
        self.step = step
