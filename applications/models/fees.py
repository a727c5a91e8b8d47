"""The rate table staff maintain and its discounts: what the fee of an application is computed from
(applications.fees, applications.selectors.fee_quote)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guarantees.models import GuaranteeKind, Orderer


class FeeRate(models.Model):
    """One band of the rate table staff maintain: from ``amount_from`` yen up to the next band.

    The rows of one (kind, orderer class, valid_from) form a table; the table in force on a day is the
    one with the latest ``valid_from`` on or before it. Each band's rate applies to the part of the
    amount inside the band (like income-tax brackets), so a larger amount never costs less.
    """

    kind = models.CharField(_("区分"), max_length=20, choices=GuaranteeKind.choices)
    orderer_kind = models.CharField(_("発注者区分"), max_length=20, choices=Orderer.Kind.choices)
    amount_from = models.BigIntegerField(_("保証金額（この額を超える部分から）"), default=0)
    rate_percent = models.DecimalField(_("料率（%）"), max_digits=8, decimal_places=5)
    valid_from = models.DateField(_("適用開始日"))
    note = models.CharField(_("備考・出典"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("保証料率")
        verbose_name_plural = _("保証料率")
        ordering = ["kind", "orderer_kind", "-valid_from", "amount_from"]
        permissions = [("manage_fee_rates", _("保証料率と割引を登録できる"))]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "orderer_kind", "valid_from", "amount_from"], name="fee_rate_unique_band"
            ),
            models.CheckConstraint(condition=models.Q(amount_from__gte=0), name="fee_rate_band_not_negative"),
            models.CheckConstraint(
                condition=models.Q(rate_percent__gte=0) & models.Q(rate_percent__lte=100),
                name="fee_rate_percent_range",
            ),
        ]

    def __str__(self) -> str:
        kind, orderer_kind = self.get_kind_display(), self.get_orderer_kind_display()
        return f"{kind} {orderer_kind} {self.amount_from:,}円〜 {self.rate_percent}%"


class FeeDiscount(models.Model):
    """A discount rule: ``amount_off`` yen for applications of ``kind`` of at least ``min_amount``.

    The rule in force on a day is the one of the kind with the latest ``valid_from`` on or before it;
    a row with ``amount_off`` 0 ends a discount from its date.
    """

    kind = models.CharField(_("区分"), max_length=20, choices=GuaranteeKind.choices)
    min_amount = models.BigIntegerField(_("対象となる保証金額（以上）"))
    amount_off = models.BigIntegerField(_("割引額（円）"))
    label = models.CharField(_("名称"), max_length=50, default="e-Net割引")
    valid_from = models.DateField(_("適用開始日"))
    note = models.CharField(_("備考・出典"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("保証料の割引")
        verbose_name_plural = _("保証料の割引")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="fee_discount_unique_day"),
            models.CheckConstraint(
                condition=models.Q(min_amount__gte=0) & models.Q(amount_off__gte=0),
                name="fee_discount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.get_kind_display()} {self.min_amount:,}円以上 {self.amount_off:,}円"
