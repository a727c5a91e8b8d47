"""Business actions on accounts."""

from __future__ import annotations

import logging

from django.db import transaction

from .models import User

logger = logging.getLogger(__name__)


@transaction.atomic(durable=True)
def user_password_set(*, user: User, new_password: str) -> None:
    """Set a password the user chose (change or reset); the issued one no longer has to be changed.

    The password has been validated by the form (AUTH_PASSWORD_VALIDATORS) before this is called.
    """
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    logger.info("password set by its user", extra={"user_id": user.pk})
