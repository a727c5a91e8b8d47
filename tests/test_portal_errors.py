"""Every app's error is the portal's one error type (portal.errors), so a screen that calls into
several apps maps any refusal to a message with one ``except PortalError``."""

from __future__ import annotations

import pytest

from accounts.errors import AccountError
from advances.errors import AdvanceError
from applications.errors import ApplicationError
from guarantees.errors import GuaranteeError
from notifications.errors import NotificationError
from portal.errors import PortalError
from verification.errors import VerificationError


@pytest.mark.parametrize(
    "error",
    [AccountError, GuaranteeError, NotificationError, VerificationError, ApplicationError, AdvanceError],
)
def test_every_apps_error_is_the_portals_one_error_type_with_a_code_and_a_message(error):
    raised = error("some_code", "メッセージ")
    assert isinstance(raised, PortalError)
    assert (raised.code, raised.message, str(raised)) == ("some_code", "メッセージ", "メッセージ")


def test_an_application_error_is_not_a_guarantee_error():
    # An application's refusal is caught as the portal's error, never mistaken for a guarantee's.
    assert not issubclass(ApplicationError, GuaranteeError)
