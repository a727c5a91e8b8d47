"""Change subscriptions: an orderer who verified a certificate may ask to be mailed when it
changes or ends (confirmed by a link, stopped by another)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate
from certificates.tokens import read_verified_access_token
from guarantees.models import Guarantee
from guarantees.services import audit_record

from . import tokens
from .audit_actions import (
    SUBSCRIPTION_CANCELLED,
    SUBSCRIPTION_CONFIRMED,
)
from .errors import NotificationError
from .models import (
    ChangeSubscription,
    OutboxMessage,
)
from .services import MailDraft, checked_address, notification_enqueue, notifications_enqueue_many


@transaction.atomic(durable=True)
def subscription_request(*, access_token: str, email: str) -> ChangeSubscription:
    """After verifying, an orderer asks that ``email`` hear about changes and cancellation.

    A confirmation link is mailed to the address; the subscription is active once it is opened.
    """
    access = read_verified_access_token(access_token)
    certificate = (
        Certificate.objects.select_related("guarantee").filter(pk=access.certificate_id).first()
        if access is not None
        else None
    )
    if certificate is None:
        raise NotificationError(
            "invalid_access",
            _("照会の有効期限が切れました。保証契約番号と認証キーでもう一度照会してください。"),
        )
    email = checked_address(email)
    existing = ChangeSubscription.objects.filter(
        guarantee=certificate.guarantee, email__iexact=email, unsubscribed_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    subscription = ChangeSubscription.objects.create(
        guarantee=certificate.guarantee,
        email=email,
        verification_id=access.verification_id if access is not None else None,
    )
    notification_enqueue(
        kind=OutboxMessage.Kind.SUBSCRIPTION_CONFIRM,
        idempotency_key=f"subscription-confirm:{subscription.pk}",
        to=email,
        context={"subscription_id": subscription.pk},
    )
    return subscription


def _subscription_claim(token: str, *, purpose: str) -> ChangeSubscription:
    claim = tokens.read_link_token(token, purpose=purpose)
    subscription = None
    if claim is not None:
        subscription = ChangeSubscription.objects.select_for_update().filter(pk=claim.pk).first()
        if subscription is not None and not secrets.compare_digest(subscription.nonce, claim.nonce):
            subscription = None
    if subscription is None:
        raise NotificationError("invalid_link", _("このリンクは無効か、有効期限が切れています。"))
    return subscription


def read_subscription_link(*, token: str, purpose: str) -> ChangeSubscription:
    """The subscription a confirm/unsubscribe link names, without changing it (for the GET page)."""
    salt = tokens.SUBSCRIPTION_CONFIRM if purpose == "confirm" else tokens.UNSUBSCRIBE
    with transaction.atomic():
        return _subscription_claim(token, purpose=salt)


@transaction.atomic(durable=True)
def subscription_confirm(*, token: str) -> ChangeSubscription:
    subscription = _subscription_claim(token, purpose=tokens.SUBSCRIPTION_CONFIRM)
    if subscription.unsubscribed_at is not None:
        raise NotificationError("unsubscribed", _("この通知の登録は停止されています。"))
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
        audit_record(
            action=SUBSCRIPTION_CONFIRMED,
            actor=None,
            guarantee=subscription.guarantee,
            data={"subscription": subscription.pk},
        )
    return subscription


@transaction.atomic(durable=True)
def subscription_cancel(*, token: str) -> ChangeSubscription:
    subscription = _subscription_claim(token, purpose=tokens.UNSUBSCRIBE)
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
        audit_record(
            action=SUBSCRIPTION_CANCELLED,
            actor=None,
            guarantee=subscription.guarantee,
            data={"subscription": subscription.pk},
        )
    return subscription


def subscriptions_notify_change(*, certificate: Certificate) -> int:
    """Queue a mail to every confirmed subscriber of a guarantee that got a new (変更) version.

    Called in the transaction that created the version (see signals.py).
    """
    subscriptions = ChangeSubscription.objects.filter(
        guarantee_id=certificate.guarantee_id, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).values_list("pk", "email")
    return notifications_enqueue_many(
        MailDraft(
            kind=OutboxMessage.Kind.CERTIFICATE_CHANGED,
            idempotency_key=f"certificate-changed:{pk}:{certificate.pk}",
            to=email,
            context={"subscription_id": pk, "certificate_id": certificate.pk},
        )
        for pk, email in subscriptions
    )


def subscriptions_notify_end(*, guarantee: Guarantee) -> int:
    """Queue a mail to every confirmed subscriber of a guarantee that was cancelled or revoked."""
    subscriptions = ChangeSubscription.objects.filter(
        guarantee_id=guarantee.pk, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).values_list("pk", "email")
    return notifications_enqueue_many(
        MailDraft(
            kind=OutboxMessage.Kind.GUARANTEE_ENDED,
            idempotency_key=f"guarantee-ended:{pk}:{guarantee.status}",
            to=email,
            context={"subscription_id": pk, "status": guarantee.status},
        )
        for pk, email in subscriptions
    )
