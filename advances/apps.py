from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvancesConfig(AppConfig):
    name = "advances"
    verbose_name = _("前払金の書類")
