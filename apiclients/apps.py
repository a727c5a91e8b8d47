from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiClientsConfig(AppConfig):
    name = "apiclients"
    verbose_name = _("APIクライアント")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - records change events and queues webhooks
