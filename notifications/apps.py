from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from certificates.listing import register_row_loader

        from . import signals  # noqa: F401 - connects the change/cancellation receivers
        from .selectors import submission_states

        # 保証工事一覧 shows each row's 提出済 / 受領確認済: one query per page, run by the view.
        register_row_loader("submission", submission_states)
