"""Orderers' systems that call the API: who they are, their credentials, what changed, webhooks.

- ``ApiClient``: one orderer system (an e-contract or financial-accounting system) that staff
  registered, with its contact, what it may do and its quota.
- ``ApiKey``: a credential. Only a SHA-256 digest of the secret is stored; the visible ``prefix``
  names the key in logs and admin. Rotation revokes the old key in the same transaction.
- ``ChangeEvent``: a new certificate version, a 解約 or a 取消, recorded in the transaction that made
  it. 満了 follows from the date and is computed when read (``selectors.client_changes``).
- ``WebhookDelivery``: one signed POST of one event to one client, delivered like the mail outbox
  (queued → sending → sent / retry / failed, unique per client and event).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    orderer = models.ForeignKey(
        "guarantees.Orderer", verbose_name=_("発注者"), on_delete=models.PROTECT, related_name="api_clients"
    )
    name = models.CharField(_("システム名"), max_length=100, help_text=_("例: 電子契約システム"))
    contact_name = models.CharField(_("担当者"), max_length=100)
    contact_email = models.EmailField(_("担当者のメールアドレス"))
    contact_phone = models.CharField(_("担当者の電話番号"), max_length=30, blank=True)
    can_verify = models.BooleanField(_("証書の確認"), default=True)
    can_batch = models.BooleanField(_("一括確認"), default=True)
    can_read_changes = models.BooleanField(_("変更の取得"), default=True)
    quota_per_hour = models.PositiveIntegerField(
        _("1時間あたりの確認の上限"), default=6000, help_text=_("一括確認は1件ごとに数えます。")
    )
    failures_per_hour = models.PositiveIntegerField(
        _("1時間あたりの不一致の上限"), default=300, help_text=_("番号または認証キーの誤りの上限です。")
    )
    webhook_url = models.URLField(
        _("Webhookの送信先"), blank=True, help_text=_("変更・解約・取消・満了を通知するURL（https）。")
    )
    webhook_secret_ciphertext = models.CharField(
        _("署名用シークレット（暗号化）"), max_length=200, blank=True
    )
    is_active = models.BooleanField(_("利用可"), default=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("APIクライアント")
        verbose_name_plural = _("APIクライアント")
        ordering = ["orderer__organisation", "name"]

    def __str__(self) -> str:
        return f"{self.orderer.organisation} {self.name}"


class ApiKey(models.Model):
    client = models.ForeignKey(
        ApiClient, verbose_name=_("APIクライアント"), on_delete=models.PROTECT, related_name="keys"
    )
    prefix = models.CharField(_("キーの接頭辞"), max_length=16, unique=True)
    digest = models.CharField(_("照合用ダイジェスト"), max_length=64)
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
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("失効させた職員"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("APIキー")
        verbose_name_plural = _("APIキー")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.prefix


class ChangeEvent(models.Model):
    class Kind(models.TextChoices):
        NEW_VERSION = "new_version", _("変更証書の発行")
        CANCELLED = "cancelled", _("解約")
        REVOKED = "revoked", _("取消")
        EXPIRED = "expired", _("保証期間満了")

    guarantee = models.ForeignKey(
        "guarantees.Guarantee", verbose_name=_("保証契約"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("版"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("変更の記録")
        verbose_name_plural = _("変更の記録")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["guarantee", "occurred_at"], name="change_event_guarantee_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.guarantee_id} {self.occurred_at:%Y-%m-%d %H:%M}"


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("送信待ち")
        SENDING = "sending", _("送信中")
        SENT = "sent", _("送信済")
        RETRY = "retry", _("再送待ち")
        FAILED = "failed", _("送信失敗")

    client = models.ForeignKey(
        ApiClient, verbose_name=_("APIクライアント"), on_delete=models.PROTECT, related_name="deliveries"
    )
    event_id = models.CharField(_("イベントID"), max_length=60)
    idempotency_key = models.CharField(_("冪等キー"), max_length=100, unique=True)
    payload = models.JSONField(_("内容"))
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    next_attempt_at = models.DateTimeField(_("次回送信"))
    claimed_at = models.DateTimeField(_("送信開始"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("最後の応答コード"), null=True, blank=True)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("Webhookの送信")
        verbose_name_plural = _("Webhookの送信")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(state__in=["queued", "retry"]),
                name="webhook_due",
            ),
            models.Index(fields=["claimed_at"], condition=models.Q(state="sending"), name="webhook_sending"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.client_id} ({self.get_state_display()})"


class ChangesRead(models.Model):
    """Each call of the change feed, under its client (verifications are audited as attempts)."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("APIクライアント"), on_delete=models.PROTECT, related_name="changes_reads"
    )
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)
    since = models.DateTimeField(_("取得の起点"))
    changes = models.PositiveIntegerField(_("件数"))

    class Meta:
        verbose_name = _("変更の取得")
        verbose_name_plural = _("変更の取得")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.client_id} {self.created_at:%Y-%m-%d %H:%M}"
