"""Change events for API clients, recorded in the transaction that made the change.

The certificates and guarantees apps do not know about API clients, so this app listens to their
saves (as the notifications app does for mail): a new (変更) version, or a guarantee whose status
became 解約/取消. The event row and its webhook deliveries are written in the same transaction, so a
rolled-back change records and sends nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from certificates.models import Certificate
from guarantees.models import Guarantee

from . import services
from .models import ChangeEvent


@receiver(post_save, sender=Certificate, dispatch_uid="apiclients.certificate_version")
def certificate_version_saved(
    sender: type[Certificate], instance: Certificate, created: bool, **kwargs: Any
) -> None:
    if created and instance.version > 1:
        services.change_event_record(
            guarantee=instance.guarantee, kind=ChangeEvent.Kind.NEW_VERSION, version=instance.version
        )


@receiver(post_save, sender=Guarantee, dispatch_uid="apiclients.guarantee_status")
def guarantee_saved(sender: type[Guarantee], instance: Guarantee, created: bool, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if created or (update_fields is not None and "status" not in update_fields):
        return
    kinds = {
        Guarantee.Status.CANCELLED: ChangeEvent.Kind.CANCELLED,
        Guarantee.Status.REVOKED: ChangeEvent.Kind.REVOKED,
    }
    kind = kinds.get(instance.status)  # type: ignore[call-overload]
    if kind is not None:
        services.change_event_record(guarantee=instance, kind=kind)
