"""Authentication backend: the model backend, loading the user's contractor in the same query."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .models import User


class PortalModelBackend(ModelBackend):
    """Every portal page shows the contractor's name in its header: join it when loading the user."""

    def get_user(self, user_id: int) -> User | None:
        try:
            user = User._default_manager.select_related("contractor").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
