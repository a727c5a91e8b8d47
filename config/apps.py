from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy


class PortalAdminConfig(AdminConfig):
    default_site = "config.admin_site.PortalAdminSite"

    def ready(self) -> None:
        # The empty choice of every select (model fields, forms, the admin's action menu). Django's
        # own 「- Select an option -」 has no Japanese translation, so Japanese screens showed English.
        # Django reads this label when a field is built; this app is the first in INSTALLED_APPS, so
        # it is set before any other app's admin or forms module is imported.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = gettext_lazy("選択してください")
        super().ready()
