"""Authentication keys (認証キー): one live key per guarantee contract."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuthKey(models.Model):
    """A key issued for a guarantee. Reissue revokes the old row and adds a new one.

    Neither the key nor anything it can be recovered from without ``KEY_ENCRYPTION_KEY`` is stored.
    """

    guarantee = models.ForeignKey(
        "guarantees.Guarantee", verbose_name=_("保証契約"), on_delete=models.PROTECT, related_name="auth_keys"
    )
    digest = models.CharField(_("照合用ダイジェスト"), max_length=64)
    ciphertext = models.CharField(_("暗号化された認証キー"), max_length=200)
    created_at = models.DateTimeField(_("発行日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("発行者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("認証キー")
        # Japanese has one form; English needs "keys" for the admin's lists only (msgctxt 複数形).
        verbose_name_plural = pgettext_lazy("複数形", "認証キー")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["guarantee"],
                condition=models.Q(revoked_at__isnull=True),
                name="authkey_one_live_key_per_guarantee",
            ),
        ]

    def __str__(self) -> str:
        state = _("失効") if self.revoked_at else _("有効")
        return f"{self.guarantee_id} ({state})"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
