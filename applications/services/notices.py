"""The contractor's mail about each step of an application, queued in the step's transaction."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from guarantees.models import Guarantee
from notifications.errors import NotificationError
from notifications.models import OutboxMessage
from notifications.services import notification_enqueue

from .. import selectors
from ..models import Application, ApplicationTransition

logger = logging.getLogger(__name__)

State = Application.State
Event = ApplicationTransition.Event


#: The mail of each step the contractor hears about (docs/applications.md). 保証料の入金記録 and the
#: approval of a fee-free change (applied at once, so its 変更済/解約済 mail follows) send none.
MAIL_KINDS: dict[str, str] = {
    Event.SUBMITTED: OutboxMessage.Kind.APPLICATION_RECEIVED,
    Event.RESUBMITTED: OutboxMessage.Kind.APPLICATION_RECEIVED,
    Event.REVIEW_STARTED: OutboxMessage.Kind.APPLICATION_IN_REVIEW,
    Event.RETURNED: OutboxMessage.Kind.APPLICATION_RETURNED,
    Event.REFUSED: OutboxMessage.Kind.APPLICATION_REFUSED,
    Event.ISSUED: OutboxMessage.Kind.APPLICATION_ISSUED,
    Event.APPLIED: OutboxMessage.Kind.APPLICATION_ISSUED,
}


def mail_kind(transition: ApplicationTransition) -> str | None:
    if transition.event == Event.APPROVED:
        return OutboxMessage.Kind.APPLICATION_FEE_DUE if transition.to_state == State.AWAITING_FEE else None
    return MAIL_KINDS.get(transition.event)


def mail_context(application: Application, transition: ApplicationTransition) -> dict[str, Any]:
    """Everything the mail prints, as JSON: the mail is rendered later by the notifications app,
    which cannot read this app's rows (dependencies point one way)."""
    base_url = settings.PORTAL_BASE_URL.rstrip("/")
    guarantee = application.guarantee or application.target_guarantee
    branch = application.branch
    discount = (
        selectors.fee_discount_on(kind=application.kind, on=application.fee_quoted_on)
        if application.fee_discount and application.fee_quoted_on
        else None
    )
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "application_id": application.pk,
            "contractor_name": application.contractor.display_name,
            "purpose": application.purpose,
            "purpose_label": str(application.get_purpose_display()),
            "kind_label": str(application.get_kind_display()),
            "work_name": application.work_name,
            "orderer": application.orderer.title if application.orderer is not None else "",
            "state_label": application.state_label,
            "resubmitted": transition.event == Event.RESUBMITTED,
            "comment": transition.comment,
            "fee_base": application.fee_base,
            "fee_discount": application.fee_discount,
            "fee_discount_label": discount.label if discount is not None else str(_("割引")),
            "fee_amount": application.fee_amount,
            "number": guarantee.number if guarantee is not None else "",
            "is_electronic": guarantee is not None and guarantee.medium == Guarantee.Medium.ELECTRONIC,
            "outcome_note": application.outcome_note,
            "branch_name": branch.name if branch is not None else "",
            "branch_tel": branch.tel if branch is not None else "",
            "detail_url": base_url + reverse("applications:detail", args=[application.pk]),
            "portal_url": base_url + "/",
        }


def notify(*, application: Application, transition: ApplicationTransition) -> None:
    """Queue the contractor's mail about ``transition``, one outbox row per notice address, in the
    transition's transaction (a rolled-back step mails nothing). The idempotency key names the
    application, the transition and the address, so each step is mailed once per address."""
    kind = mail_kind(transition)
    if kind is None:
        return
    context = mail_context(application, transition)
    seen: set[str] = set()
    for address in application.contractor.notice_email_list:
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        try:
            notification_enqueue(
                kind=kind,
                idempotency_key=f"application:{application.pk}:{transition.pk}:{address.lower()}",
                to=address,
                context=context,
            )
        except NotificationError as exc:
            if exc.code != "invalid_address":
                raise
            # A malformed address on the contractor's record must not block the branch's review;
            # the others still get the mail, and the log says which one was skipped.
            logger.warning("Skipped the malformed notice address of contractor %s", application.contractor_id)
