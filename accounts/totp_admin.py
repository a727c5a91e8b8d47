"""Staff's TOTP devices in admin, in Japanese: django_otp names them in English only
(「OTP_TOTP / TOTP devices」) and ships no Japanese catalogue.

The labels are set on the live objects after django_otp has registered its admin; the model's
``Meta`` (and so its migrations) stays as django_otp wrote it.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

FIELD_LABELS = {
    "user": _("職員"),
    "name": _("名前"),
    "confirmed": _("確認済み"),
    "created_at": _("登録日時"),
    "last_used_at": _("最終利用日時"),
    "key": _("秘密鍵"),
    "step": _("時間間隔（秒）"),
    "t0": _("開始時刻（Unix時刻）"),
    "digits": _("桁数"),
    "tolerance": _("許容するずれ（間隔の数）"),
    "drift": _("時計のずれ（間隔の数）"),
    "throttling_failure_timestamp": _("最後に失敗した日時"),
    "throttling_failure_count": _("連続失敗回数"),
}
FIELDSET_TITLES = {
    "Identity": _("利用者"),
    "Timestamps": _("日時"),
    "Configuration": _("設定"),
    "State": _("状態"),
    "Throttling": _("失敗の制限"),
}


def label_totp_admin() -> None:
    from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    apps.get_app_config("otp_totp").verbose_name = _("二段階認証（TOTP）")
    TOTPDevice._meta.verbose_name = _("認証アプリ（TOTP）")
    TOTPDevice._meta.verbose_name_plural = _("認証アプリ（TOTP）")

    class JapaneseTOTPDeviceAdmin(TOTPDeviceAdmin):
        def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
            return [
                (FIELDSET_TITLES.get(title, title) if title else None, options)
                for title, options in super().get_fieldsets(request, obj)
            ]

        def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
            form = super().get_form(request, obj, change=change, **kwargs)
            for name, field in form.base_fields.items():
                if name in FIELD_LABELS:
                    field.label = FIELD_LABELS[name]
            return form

        # django_otp's own views answer a device that does not exist (a stale link, a typed
        # number) with a server error; here it is the admin's 404.
        def config_view(self, request: HttpRequest, pk: int) -> Any:
            get_object_or_404(TOTPDevice, pk=pk)
            return super().config_view(request, pk)

        def qrcode_view(self, request: HttpRequest, pk: int) -> Any:
            get_object_or_404(TOTPDevice, pk=pk)
            return super().qrcode_view(request, pk)

        @admin.display(description=_("職員"), ordering="user")
        def user_column(self, device: TOTPDevice) -> Any:
            return device.user

        @admin.display(description=_("名前"), ordering="name")
        def name_column(self, device: TOTPDevice) -> str:
            return device.name

        @admin.display(description=_("登録日時"), ordering="created_at")
        def created_column(self, device: TOTPDevice) -> Any:
            return device.created_at

        @admin.display(description=_("最終利用日時"), ordering="last_used_at")
        def last_used_column(self, device: TOTPDevice) -> Any:
            return device.last_used_at

        @admin.display(description=_("確認済み"), ordering="confirmed", boolean=True)
        def confirmed_column(self, device: TOTPDevice) -> bool:
            return bool(device.confirmed)

        @admin.display(description=_("QRコード"))
        def qrcode_link(self, device: TOTPDevice) -> Any:
            return super().qrcode_link(device)

        list_display = [
            "user_column",
            "name_column",
            "created_column",
            "last_used_column",
            "confirmed_column",
        ]

    site = admin.site
    if site.is_registered(TOTPDevice):
        site.unregister(TOTPDevice)
    site.register(TOTPDevice, JapaneseTOTPDeviceAdmin)
