from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthkeysConfig(AppConfig):
    name = "authkeys"
    verbose_name = _("認証キー")
