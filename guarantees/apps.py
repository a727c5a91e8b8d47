from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class GuaranteesConfig(AppConfig):
    name = "guarantees"
    verbose_name = _("保証契約")

    def ready(self) -> None:
        # Every app's audit actions (guarantees.audit): registered before any row is written or shown.
        autodiscover_modules("audit_actions")
