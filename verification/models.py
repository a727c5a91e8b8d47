"""Orderers' verification of certificates: one row per attempt, right or wrong.

The row never holds the key. The client is a keyed hash of its address (``ratelimit.client_of``), so
the audit can group attempts by client without keeping addresses.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from guarantees.formatting import slash_time


class VerificationAttempt(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("不一致")
        MALFORMED = "malformed", _("入力形式の誤り")
        THROTTLED = "throttled", _("回数制限")
        UNAVAILABLE = "unavailable", _("制限機能の停止")

    class Channel(models.TextChoices):
        PAGE = "page", _("画面")
        API = "api", _("API")
        BATCH = "batch", _("API（一括）")

    created_at = models.DateTimeField(_("日時"), auto_now_add=True)
    outcome = models.CharField(_("結果"), max_length=20, choices=Outcome.choices)
    channel = models.CharField(_("経路"), max_length=10, choices=Channel.choices)
    contract_number = models.CharField(
        _("保証契約番号"), max_length=10, blank=True, help_text=_("形式が正しい場合のみ記録します。")
    )
    guarantee = models.ForeignKey(
        "guarantees.Guarantee",
        verbose_name=_("保証契約"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verification_attempts",
        # verification_history starts with the guarantee: it answers every lookup by guarantee, so
        # each attempt writes one index fewer.
        db_index=False,
    )
    certificate = models.ForeignKey(
        "certificates.Certificate",
        verbose_name=_("表示した証書"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    client_hash = models.CharField(_("接続元（ハッシュ）"), max_length=64)
    api_client = models.ForeignKey(
        "apiclients.ApiClient",
        verbose_name=_("APIクライアント"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempts",
    )
    user_agent = models.CharField(_("ユーザーエージェント"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("確認の試行")
        verbose_name_plural = _("確認の試行")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="success") | models.Q(guarantee__isnull=False),
                name="verification_success_names_guarantee",
            ),
        ]
        indexes = [
            models.Index(fields=["guarantee", "outcome", "-created_at"], name="verification_history"),
            models.Index(fields=["outcome", "-created_at"], name="verification_outcome_time"),
            models.Index(fields=["contract_number", "-created_at"], name="verification_number_time"),
            models.Index(fields=["-created_at"], name="verification_time"),
            # The guarantees an API client has verified (its change feed and webhooks).
            models.Index(
                fields=["api_client", "guarantee"],
                condition=models.Q(outcome="success", api_client__isnull=False),
                name="verification_client_guarantee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.contract_number or '-'} {slash_time(self.created_at)}"
