"""Small builders shared by the mail tests."""

from __future__ import annotations

from authkeys.keys import decrypt_key
from authkeys.models import AuthKey
from guarantees.models import Guarantee
from notifications.outbox import outbox_send_due


def live_key(guarantee: Guarantee) -> str:
    auth_key = AuthKey.objects.get(guarantee=guarantee, revoked_at__isnull=True)
    return decrypt_key(contract_number=guarantee.number, ciphertext=auth_key.ciphertext)


def send_all() -> None:
    """What a worker does: claim and send until nothing is due."""
    more = True
    while more:
        _report, more = outbox_send_due(max_seconds=30)
