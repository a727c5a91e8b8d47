"""Mail that is never sent twice and never lost.

- ``OutboxMessage``: every mail the portal sends, one row per recipient, written in the transaction of
  what caused it, protected by a unique idempotency key; states queued → sending → sent / retry /
  failed.
- ``NoticeSchedule`` / ``NoticeRun`` / ``RegistrationNotice`` / ``RegistrationNoticeItem``: the daily
  「電子証書・認証キーの登録お知らせメール」 and which certificate versions it announced (each once).
- ``KeySubmission``: a contractor's 「発注者へ提出」 of a key to an orderer department and the
  orderer's 受領確認.
- ``OrdererMailTemplate``: how an orderer wants the submission mail's subject to read.
- ``ChangeSubscription``: an address an orderer registered to hear about changes and cancellations.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from guarantees.formatting import slash_time


def _nonce() -> str:
    return secrets.token_urlsafe(16)


class OutboxMessage(models.Model):
    class Kind(models.TextChoices):
        REGISTRATION_NOTICE = "registration_notice", _("電子証書・認証キーの登録お知らせ")
        KEY_SUBMISSION = "key_submission", _("認証キーの提出")
        SUBSCRIPTION_CONFIRM = "subscription_confirm", _("変更通知の登録確認")
        CERTIFICATE_CHANGED = "certificate_changed", _("電子証書の変更のお知らせ")
        GUARANTEE_ENDED = "guarantee_ended", _("保証契約の解約・取消のお知らせ")
        APPLICATION_RECEIVED = "application_received", _("e-Net申込の受付")
        APPLICATION_IN_REVIEW = "application_in_review", _("e-Net申込の審査開始")
        APPLICATION_RETURNED = "application_returned", _("e-Net申込の差戻し")
        APPLICATION_REFUSED = "application_refused", _("e-Net申込の謝絶")
        APPLICATION_FEE_DUE = "application_fee_due", _("保証料のお支払いのお願い")
        APPLICATION_ISSUED = "application_issued", _("e-Net申込の発行・反映")
        PASSWORD_RESET = "password_reset", _("パスワード再設定のご案内")

    class State(models.TextChoices):
        QUEUED = "queued", _("送信待ち")
        SENDING = "sending", _("送信中")
        SENT = "sent", _("送信済")
        RETRY = "retry", _("再送待ち")
        FAILED = "failed", _("送信失敗")

    kind = models.CharField(_("種類"), max_length=40, choices=Kind.choices)
    idempotency_key = models.CharField(_("冪等キー"), max_length=200)  # unique: Meta.constraints
    to = models.CharField(_("宛先"), max_length=254)
    context = models.JSONField(_("内容"), default=dict, blank=True)
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    next_attempt_at = models.DateTimeField(_("次回送信"))  # the claim reads it through outbox_due
    claimed_at = models.DateTimeField(_("送信開始"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    subject = models.CharField(_("件名"), max_length=250, blank=True)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("送信メール")
        verbose_name_plural = _("送信メール")
        ordering = ["-id"]
        # Every index is written by each mail's insert and by each of its state changes (a state
        # change is never a HOT update: the partial indexes depend on it), so the table keeps only
        # the ones a query reads. The key's uniqueness is a constraint rather than unique=True,
        # which would add a second, LIKE-only index (varchar_pattern_ops) nothing searches.
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="outbox_idempotency_key_unique"),
        ]
        indexes = [
            # The claim query: due rows in the states a worker may take.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(state__in=["queued", "retry"]),
                name="outbox_due",
            ),
            models.Index(fields=["claimed_at"], condition=models.Q(state="sending"), name="outbox_sending"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to} ({self.get_state_display()})"


class NoticeSchedule(models.Model):
    """One row (pk=1): the last run of the registration notice. Locked by each run, so runs queue."""

    last_run_at = models.DateTimeField(_("前回の実行日時"), null=True, blank=True)
    last_cutoff = models.DateTimeField(_("前回の締め時刻"), null=True, blank=True)

    class Meta:
        verbose_name = _("登録お知らせの実行状況")
        verbose_name_plural = _("登録お知らせの実行状況")

    def __str__(self) -> str:
        return slash_time(self.last_run_at) or "-"


class NoticeRun(models.Model):
    """One run of the registration notice job (16:00 beat, the command, or staff's お急ぎ)."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("定時（16時）")
        COMMAND = "command", _("コマンド")
        STAFF = "staff", _("職員（お急ぎ）")

    trigger = models.CharField(_("起動"), max_length=10, choices=Trigger.choices)
    notice_date = models.DateField(_("お知らせ日"))
    cutoff = models.DateTimeField(_("締め時刻"), help_text=_("この時刻より前に登録された版が対象です。"))
    started_at = models.DateTimeField(_("開始"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実行者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    certificates = models.PositiveIntegerField(_("お知らせした版の数"), default=0)
    notices = models.PositiveIntegerField(_("お知らせの数"), default=0)
    messages = models.PositiveIntegerField(_("メールの数"), default=0)

    class Meta:
        verbose_name = _("登録お知らせの実行")
        verbose_name_plural = _("登録お知らせの実行")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.notice_date} {self.get_trigger_display()}"


class RegistrationNotice(models.Model):
    """The notice one contractor gets from one run, listing the versions it announces."""

    run = models.ForeignKey(NoticeRun, verbose_name=_("実行"), on_delete=models.PROTECT, related_name="+")
    contractor = models.ForeignKey(
        "guarantees.Contractor", verbose_name=_("保証契約者"), on_delete=models.PROTECT, related_name="+"
    )
    notice_date = models.DateField(_("お知らせ日"))
    recipients = models.JSONField(_("宛先"), default=list)

    class Meta:
        verbose_name = _("登録お知らせ")
        verbose_name_plural = _("登録お知らせ")
        ordering = ["-notice_date", "contractor"]
        constraints = [
            models.UniqueConstraint(fields=["run", "contractor"], name="notice_one_per_contractor_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.notice_date} {self.contractor_id}"


class RegistrationNoticeItem(models.Model):
    """A certificate version as announced. The unique certificate is what makes "exactly once"."""

    notice = models.ForeignKey(
        RegistrationNotice, verbose_name=_("お知らせ"), on_delete=models.CASCADE, related_name="items"
    )
    certificate = models.OneToOneField(
        "certificates.Certificate",
        verbose_name=_("証書の版"),
        on_delete=models.PROTECT,
        related_name="registration_notice_item",
    )

    class Meta:
        verbose_name = _("お知らせした版")
        verbose_name_plural = _("お知らせした版")

    def __str__(self) -> str:
        return str(self.certificate_id)


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
#: What a subject template may contain, with what it becomes.
SUBJECT_PLACEHOLDERS = ("区分", "工事名", "保証契約番号", "発注者", "保証契約者")
DEFAULT_SUBJECT_TEMPLATE = "【電子保証({区分})】{工事名}"


def validate_subject_template(value: str) -> None:
    unknown = [name for name in _PLACEHOLDER.findall(value) if name not in SUBJECT_PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            _("件名に使える差し込みは %(allowed)s です（%(unknown)s は使えません）。"),
            params={
                "allowed": " ".join(f"{{{name}}}" for name in SUBJECT_PLACEHOLDERS),
                "unknown": " ".join(f"{{{name}}}" for name in unknown),
            },
        )


def render_subject_template(template: str, values: dict[str, str]) -> str:
    """Fill ``{区分}`` and friends; anything unknown is left as typed (validated on save)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


class OrdererMailTemplate(models.Model):
    """How one orderer asks for the key submission mail (件名 and a note in the body)."""

    orderer = models.OneToOneField(
        "guarantees.Orderer",
        verbose_name=_("発注者"),
        on_delete=models.CASCADE,
        related_name="mail_template",
    )
    subject_template = models.CharField(
        _("件名"),
        max_length=200,
        default=DEFAULT_SUBJECT_TEMPLATE,
        validators=[validate_subject_template],
        help_text=_(
            "差し込み: {区分} {工事名} {保証契約番号} {発注者} {保証契約者}。例: 【電子保証({区分})】{工事名}"
        ),
    )
    body_note = models.TextField(
        _("本文への追記"), blank=True, help_text=_("発注者からの依頼事項など。本文の末尾に載せます。")
    )

    class Meta:
        verbose_name = _("発注者別のメール書式")
        verbose_name_plural = _("発注者別のメール書式")

    def __str__(self) -> str:
        return str(self.subject_template)


class KeySubmission(models.Model):
    """「発注者へ提出」: the key notice mailed to an orderer department, and its 受領確認.

    The steps are recorded here with their times and actors: submitted (by the contractor's user),
    mailed (the outbox row's ``sent_at``), confirmed (by whoever opened the signed link).
    """

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("提出済")
        CONFIRMED = "confirmed", _("受領確認済")

    guarantee = models.ForeignKey(
        "guarantees.Guarantee", verbose_name=_("保証契約"), on_delete=models.PROTECT, related_name="+"
    )
    auth_key = models.ForeignKey(
        "authkeys.AuthKey", verbose_name=_("提出した認証キー"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "guarantees.OrdererDepartment",
        verbose_name=_("提出先の部署"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    department_name = models.CharField(_("提出先"), max_length=210)
    to = models.EmailField(_("提出先メールアドレス"))
    subject = models.CharField(_("件名"), max_length=250)
    submitted_at = models.DateTimeField(_("提出日時"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出者"), on_delete=models.PROTECT, related_name="+"
    )
    nonce = models.CharField(max_length=40, default=_nonce, editable=False)
    confirmed_at = models.DateTimeField(_("受領確認日時"), null=True, blank=True)
    confirmed_from = models.GenericIPAddressField(_("受領確認の接続元"), null=True, blank=True)

    class Meta:
        verbose_name = _("認証キーの提出")
        verbose_name_plural = _("認証キーの提出")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["guarantee", "-submitted_at"], name="submission_guarantee_time")]

    def __str__(self) -> str:
        return f"{self.guarantee_id} → {self.to}"

    @property
    def state(self) -> str:
        return self.State.CONFIRMED if self.confirmed_at else self.State.SUBMITTED


class ChangeSubscription(models.Model):
    """An address that hears when a guarantee's certificate changes or the guarantee ends.

    Registered by an orderer after verifying; active only once the address confirmed (a signed link
    mailed to it), so nobody can subscribe someone else's address.
    """

    guarantee = models.ForeignKey(
        "guarantees.Guarantee", verbose_name=_("保証契約"), on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(_("通知先メールアドレス"))
    verification_id = models.BigIntegerField(_("照会の記録"), null=True, blank=True)
    nonce = models.CharField(max_length=40, default=_nonce, editable=False)
    created_at = models.DateTimeField(_("申込日時"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("登録確認日時"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("停止日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("変更通知の登録")
        verbose_name_plural = _("変更通知の登録")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["guarantee", "email"],
                condition=models.Q(unsubscribed_at__isnull=True),
                name="subscription_one_live_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.guarantee_id} → {self.email}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None
