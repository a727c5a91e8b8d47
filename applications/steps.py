"""The steps of the contractor's application form, which the rules name so that the confirm page
links each problem to the step that holds it."""

from __future__ import annotations

from .errors import ApplicationError

STEP_KIND = "kind"
STEP_WORK = "work"
STEP_AMOUNTS = "amounts"
STEP_ACCOUNT = "account"
STEP_DOCUMENTS = "documents"
STEP_CHANGE = "change"


def problem(code: str, message: str, field: str, step: str) -> ApplicationError:
    """A reason the application cannot be submitted yet, on ``field`` of ``step``."""
    return ApplicationError(code, message, field=field, step=step)
