"""Certificates (保証証書 / 電子証書): immutable versions of what was certified.

Each version snapshots every printed field when it is issued, so a later edit of a contractor's name,
a branch's telephone number or the guarantee itself never rewrites what an orderer was shown.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guarantees.models import Guarantee, GuaranteeKind


class CertificateImmutableError(Exception):
    """Raised on an attempt to modify an issued certificate version."""


class Certificate(models.Model):
    guarantee = models.ForeignKey(
        Guarantee, verbose_name=_("保証契約"), on_delete=models.PROTECT, related_name="certificates"
    )
    version = models.PositiveSmallIntegerField(_("版"))
    is_change = models.BooleanField(_("変更"), default=False, help_text=_("(変更)と表示する版。"))
    medium = models.CharField(_("種別"), max_length=20, choices=Guarantee.Medium.choices)
    certified_on = models.DateField(_("証書の日付"))
    issued_on = models.DateField(_("証書発行日"))
    registered_at = models.DateTimeField(_("登録日時"), auto_now_add=True, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("発行者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    change_reason = models.CharField(_("変更の内容"), max_length=200, blank=True)

    # --- The snapshot: every printed field, as printed. ---
    kind = models.CharField(_("区分"), max_length=20, choices=GuaranteeKind.choices)
    contract_number = models.CharField(_("保証契約番号"), max_length=10)
    contractor_name = models.CharField(_("保証契約者"), max_length=210)
    orderer_title = models.CharField(_("被保証者"), max_length=120)
    guarantee_amount = models.BigIntegerField(_("保証金額"))
    guarantee_period_end = models.DateField(_("保証期間"))
    construction_end_date = models.DateField(_("工期末日"))
    work_name = models.CharField(_("工事名"), max_length=200)
    contract_amount_total = models.BigIntegerField(_("請負金額(総額)"))
    contract_amount_target = models.BigIntegerField(_("請負金額(対象額)"))
    bank_name = models.CharField(_("保証金納付機関"), max_length=130, blank=True)
    company_name = models.CharField(_("保証事業会社"), max_length=100)
    company_address = models.CharField(_("本店所在地"), max_length=200)
    company_representative = models.CharField(_("代表者"), max_length=110)
    branch_name = models.CharField(_("取組場所"), max_length=50)
    branch_address = models.CharField(_("取組場所の所在地"), max_length=200)
    branch_tel = models.CharField(_("取組場所のTEL"), max_length=20)
    branch_fax = models.CharField(_("取組場所のFAX"), max_length=20)
    terms_url = models.URLField(_("約款のURL"), max_length=200)
    title = models.CharField(_("表題"), max_length=60)
    statement = models.CharField(_("保証文言"), max_length=200)
    notes = models.JSONField(_("注記"), default=list)
    terms_line = models.CharField(_("約款の案内"), max_length=250)

    class Meta:
        verbose_name = _("証書")
        verbose_name_plural = _("証書")
        ordering = ["guarantee", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["guarantee", "version"], name="certificate_unique_version"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="certificate_version_from_1"),
            models.CheckConstraint(
                condition=models.Q(is_change=False) | models.Q(version__gt=1),
                name="certificate_first_version_is_not_change",
            ),
        ]
        indexes = [models.Index(fields=["contract_number", "-version"], name="certificate_number_version")]

    def __str__(self) -> str:
        return f"{self.contract_number} 第{self.version}版"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise CertificateImmutableError("An issued certificate version cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise CertificateImmutableError("An issued certificate version cannot be deleted.")

    @property
    def is_electronic(self) -> bool:
        return self.medium == Guarantee.Medium.ELECTRONIC


class CertificateDocument(models.Model):
    """A rendered, signed PDF of one certificate version, stored once and streamed afterwards.

    One row per (certificate version, kind, template version): a new version or a new template
    makes a new row and a new file; a stored document is never overwritten (certificates/pdf.py).
    """

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("保証証書")

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("証書"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.CERTIFICATE)
    template_version = models.CharField(_("テンプレートの版"), max_length=20)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("ファイル"), max_length=255)
    size = models.PositiveIntegerField(_("サイズ（バイト）"))
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("証書PDF")
        verbose_name_plural = _("証書PDF")
        ordering = ["certificate", "kind", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind", "template_version"], name="certificate_document_unique"
            ),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="certificate_document_not_empty"),
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="certificate_document_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} {self.get_kind_display()} ({self.template_version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise CertificateImmutableError("A stored certificate PDF cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise CertificateImmutableError("A stored certificate PDF cannot be deleted.")
