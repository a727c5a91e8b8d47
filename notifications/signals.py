"""Change and cancellation notices for subscribers, queued in the transaction that made the change.

The certificates and guarantees apps must not import this app (dependencies point one way), so the
notifications app listens to their saves instead: a new (変更) version, or a guarantee whose status
became 解約/取消. The outbox rows are written inside the same transaction, so a rolled-back change
sends nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import User
from accounts.signals import password_reset_requested
from certificates.models import Certificate
from guarantees.models import Guarantee

from . import services, subscriptions


@receiver(post_save, sender=Certificate, dispatch_uid="notifications.certificate_version")
def certificate_version_saved(
    sender: type[Certificate], instance: Certificate, created: bool, **kwargs: Any
) -> None:
    if created and instance.version > 1:
        subscriptions.subscriptions_notify_change(certificate=instance)


@receiver(post_save, sender=Guarantee, dispatch_uid="notifications.guarantee_status")
def guarantee_saved(sender: type[Guarantee], instance: Guarantee, created: bool, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if created or (update_fields is not None and "status" not in update_fields):
        return
    if instance.status in (Guarantee.Status.CANCELLED, Guarantee.Status.REVOKED):
        subscriptions.subscriptions_notify_end(guarantee=instance)


@receiver(password_reset_requested, sender=User, dispatch_uid="notifications.password_reset")
def password_reset_mail(sender: type[User], address: str, window: int, **kwargs: Any) -> None:
    services.password_reset_mail_enqueue(address=address, window=window)
