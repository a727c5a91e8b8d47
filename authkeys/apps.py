from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AuthkeysConfig(AppConfig):
    name = "authkeys"
    verbose_name = pgettext_lazy("複数形", "認証キー")
