"""One function per mail. Each turns an outbox row's context into subject, text and HTML.

Templates live in ``templates/notifications/<mail>/{subject.txt,body.txt,body.html}``. Mail is
rendered when it is sent, in Japanese, from what the row names; the auth key of a submission is
decrypted only here, so it is never stored in clear, in a task argument or in a log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import User
from authkeys import keys
from certificates.models import Certificate
from guarantees.models import Guarantee, GuaranteeKind

from . import tokens
from .errors import PermanentMailError
from .models import ChangeSubscription, KeySubmission, OutboxMessage
from .wire import PortalMail


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _render(folder: str, context: dict[str, Any]) -> RenderedMail:
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"notifications/{folder}/subject.txt", context)
        text = render_to_string(f"notifications/{folder}/body.txt", context)
        html = render_to_string(f"notifications/{folder}/body.html", context)
    return RenderedMail(subject=" ".join(subject.split())[:250], text=text, html=html)


def registration_notice(context: dict[str, Any]) -> RenderedMail:
    """電子証書・認証キーの登録お知らせメール: the versions registered, how to display the keys.

    The keys themselves are never in this mail.
    """
    with translation.override(settings.LANGUAGE_CODE):
        labels = {True: str(_("変更")), False: str(_("新規"))}  # once a mail, not once a row
    items = [{**item, "change_label": labels[bool(item["is_change"])]} for item in context["items"]]
    return _render(
        "registration_notice",
        {**context, "items": items, "notice_date": dt.date.fromisoformat(context["notice_date"])},
    )


def key_submission(context: dict[str, Any]) -> RenderedMail:
    """The key notice (認証キー表示画面's contents) mailed to the orderer department, with 受領確認."""
    submission = (
        KeySubmission.objects.select_related("guarantee__orderer", "guarantee__branch__company", "auth_key")
        .filter(pk=context["submission_id"])
        .first()
    )
    if submission is None:
        raise PermanentMailError("the submission no longer exists")
    if submission.auth_key.revoked_at is not None:
        raise PermanentMailError("the key was reissued before the mail went out; submit the new key")
    guarantee = submission.guarantee
    key = keys.decrypt_key(contract_number=guarantee.number, ciphertext=submission.auth_key.ciphertext)
    template = getattr(guarantee.orderer, "mail_template", None)
    receipt = tokens.link_token(purpose=tokens.RECEIPT, pk=submission.pk, nonce=submission.nonce)
    rendered = _render(
        "key_submission",
        {
            "submission": submission,
            "guarantee": guarantee,
            "kind_label": GuaranteeKind(guarantee.kind).label,
            "key": key,
            "company_name": guarantee.branch.company.name,
            "contractor_name": guarantee.contractor.display_name if guarantee.contractor_id else "",
            "verify_url": _absolute(f"/verify/?number={guarantee.number}"),
            "receipt_url": _absolute(reverse("notifications:receipt", args=[receipt])),
            "body_note": template.body_note if template is not None else "",
        },
    )
    return RenderedMail(subject=submission.subject, text=rendered.text, html=rendered.html)


def _subscription(context: dict[str, Any]) -> ChangeSubscription:
    subscription = (
        ChangeSubscription.objects.select_related("guarantee").filter(pk=context["subscription_id"]).first()
    )
    if subscription is None:
        raise PermanentMailError("the subscription no longer exists")
    return subscription


def _unsubscribe_url(subscription: ChangeSubscription) -> str:
    token = tokens.link_token(purpose=tokens.UNSUBSCRIBE, pk=subscription.pk, nonce=subscription.nonce)
    return _absolute(reverse("notifications:unsubscribe", args=[token]))


def subscription_confirm(context: dict[str, Any]) -> RenderedMail:
    """The link that turns on change notices for an address (so nobody subscribes someone else)."""
    subscription = _subscription(context)
    token = tokens.link_token(
        purpose=tokens.SUBSCRIPTION_CONFIRM, pk=subscription.pk, nonce=subscription.nonce
    )
    return _render(
        "subscription_confirm",
        {
            "guarantee": subscription.guarantee,
            "confirm_url": _absolute(reverse("notifications:subscription_confirm", args=[token])),
        },
    )


def certificate_changed(context: dict[str, Any]) -> RenderedMail:
    """A subscribed guarantee got a (変更) version."""
    subscription = _subscription(context)
    if subscription.unsubscribed_at is not None:
        raise PermanentMailError("the address unsubscribed before the mail went out")
    certificate = Certificate.objects.filter(pk=context["certificate_id"]).first()
    if certificate is None:
        raise PermanentMailError("the certificate version no longer exists")
    return _render(
        "certificate_changed",
        {
            "certificate": certificate,
            "verify_url": _absolute(f"/verify/?number={certificate.contract_number}"),
            "unsubscribe_url": _unsubscribe_url(subscription),
        },
    )


def guarantee_ended(context: dict[str, Any]) -> RenderedMail:
    """A subscribed guarantee was cancelled (解約) or revoked (取消)."""
    subscription = _subscription(context)
    if subscription.unsubscribed_at is not None:
        raise PermanentMailError("the address unsubscribed before the mail went out")
    guarantee = subscription.guarantee
    return _render(
        "guarantee_ended",
        {
            "guarantee": guarantee,
            "status_label": Guarantee.Status(context["status"]).label,
            "verify_url": _absolute(f"/verify/?number={guarantee.number}"),
            "unsubscribe_url": _unsubscribe_url(subscription),
        },
    )


# --- e-Net applications: one mail per step, rendered from the row's context alone ------------------
# The applications app sits above this one, so these mails cannot load its rows: the context names
# everything printed (a snapshot taken in the transition's transaction).


def application_received(context: dict[str, Any]) -> RenderedMail:
    """申込済: the application (or the resubmission after 差戻し) was received."""
    return _render("application_received", context)


def application_in_review(context: dict[str, Any]) -> RenderedMail:
    """審査中: the branch started the review."""
    return _render("application_in_review", context)


def application_returned(context: dict[str, Any]) -> RenderedMail:
    """差戻し: what to correct, in the clerk's words, and where to resubmit."""
    return _render("application_returned", context)


def application_refused(context: dict[str, Any]) -> RenderedMail:
    """謝絶: the guarantee is declined, with the reason given."""
    return _render("application_refused", context)


def application_fee_due(context: dict[str, Any]) -> RenderedMail:
    """保証料入金待ち: approved; the fee to pay (the 保証料計算書 is on the application's page)."""
    return _render("application_fee_due", context)


def application_issued(context: dict[str, Any]) -> RenderedMail:
    """発行済 (変更済・解約済): the number, and how to display the key. Never the key itself."""
    return _render("application_issued", context)


# --- Password reset: built at send time, for the accounts that have the address then --------------


class NoAccountForAddress(PermanentMailError):
    """A reset requested for an address no active account has: nothing is sent (not a fault)."""


def password_reset(context: dict[str, Any]) -> RenderedMail:
    """パスワード再設定のご案内: one link per active account with this address, made now (valid for
    ``PASSWORD_RESET_TIMEOUT`` from the sending; a retried mail carries a new, equally valid link)."""
    address = context["address"]
    accounts = [
        user
        for user in User._default_manager.filter(email__iexact=address, is_active=True).order_by("pk")
        if user.has_usable_password()
    ]
    if not accounts:
        raise NoAccountForAddress("no active account has this address: nothing to send")
    links = [
        {
            "login_id": user.get_username(),
            "url": _absolute(
                reverse(
                    "accounts:password_reset_confirm",
                    kwargs={
                        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                        "token": default_token_generator.make_token(user),
                    },
                )
            ),
        }
        for user in accounts
    ]
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    return _render("password_reset", {"links": links, "hours": hours})


BUILDERS: dict[str, Callable[[dict[str, Any]], RenderedMail]] = {
    OutboxMessage.Kind.REGISTRATION_NOTICE: registration_notice,
    OutboxMessage.Kind.KEY_SUBMISSION: key_submission,
    OutboxMessage.Kind.SUBSCRIPTION_CONFIRM: subscription_confirm,
    OutboxMessage.Kind.CERTIFICATE_CHANGED: certificate_changed,
    OutboxMessage.Kind.GUARANTEE_ENDED: guarantee_ended,
    OutboxMessage.Kind.APPLICATION_RECEIVED: application_received,
    OutboxMessage.Kind.APPLICATION_IN_REVIEW: application_in_review,
    OutboxMessage.Kind.APPLICATION_RETURNED: application_returned,
    OutboxMessage.Kind.APPLICATION_REFUSED: application_refused,
    OutboxMessage.Kind.APPLICATION_FEE_DUE: application_fee_due,
    OutboxMessage.Kind.APPLICATION_ISSUED: application_issued,
    OutboxMessage.Kind.PASSWORD_RESET: password_reset,
}


def message_id(idempotency_key: str) -> str:
    """The same Message-ID for every attempt of one row, so a receiver can drop a repeat."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "portal.invalid"
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]}@{domain}>"


def build_message(
    *, kind: str, to: str, context: dict[str, Any], idempotency_key: str
) -> tuple[PortalMail, str]:
    """The message for one outbox row, and its subject (kept on the row for staff)."""
    rendered = BUILDERS[kind](context)
    message = PortalMail(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": message_id(idempotency_key), "X-Portal-Mail": idempotency_key},
    )
    message.attach_alternative(rendered.html, "text/html")
    return message, rendered.subject
