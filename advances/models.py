"""The paperwork that follows an advance guarantee: its 前払金使途内訳明細書 (every revision kept) and
its 前払金払出依頼書. They belong to the guarantee, whichever way it was concluded (an e-Net
application or a clerk's registration). Money is integer yen.

The tables keep the names they were created with (``applications_*``): the models moved here from
the application app without their rows moving (docs/decisions.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guarantees.models import Guarantee


class UseCategory(models.TextChoices):
    """The allowed uses of an advance (standard 約款 第37条), in the order of the 明細書."""

    MATERIALS = "materials", _("材料費")
    LABOUR = "labour", _("労務費")
    EQUIPMENT_RENTAL = "equipment_rental", _("機械器具の賃借料")
    MACHINE_PURCHASE = "machine_purchase", _("機械購入費")
    POWER = "power", _("動力費")
    FREIGHT = "freight", _("支払運賃")
    REPAIRS = "repairs", _("修繕費")
    TEMPORARY_WORKS = "temporary_works", _("仮設費")
    WORKERS_INSURANCE = "workers_insurance", _("労働者災害補償保険料")
    GUARANTEE_FEE = "guarantee_fee", _("保証料")


class PayoutMethod(models.TextChoices):
    TRANSFER = "transfer", _("1 支払先へ振込")
    CASH = "cash", _("2 現金で払出し")
    OWN_ACCOUNT = "own_account", _("3 立替払済のため自社口座に振替")
    UNDECIDED = "undecided", _("未定")


#: Written where a payee, quantity or schedule is not known yet; amended later.
UNDECIDED = "未定"


class AdvanceUsePlan(models.Model):
    """前払金使途内訳明細書 of one advance guarantee: every revision is kept, the latest is current.

    ``revision`` is the number of the current (latest) revision; ``use_plan_save`` writes it in the
    transaction that adds that revision, and nothing else writes it.
    """

    guarantee = models.OneToOneField(
        Guarantee, verbose_name=_("保証契約"), on_delete=models.PROTECT, related_name="use_plan"
    )
    revision = models.PositiveSmallIntegerField(_("現在の版"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作成者"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        db_table = "applications_advanceuseplan"
        verbose_name = _("前払金使途内訳明細書")
        verbose_name_plural = _("前払金使途内訳明細書")

    def __str__(self) -> str:
        return f"{self.guarantee.number} 第{self.revision}版"

    @property
    def rows(self) -> models.QuerySet[AdvanceUseRow]:
        """The rows of the current revision."""
        return AdvanceUseRow.objects.filter(revision__plan=self, revision__number=self.revision)


class AdvanceUsePlanRevision(models.Model):
    """One revision of a 使途内訳明細書, as saved: its rows, who saved it, when, and the advance it
    had to add up to then. Never changed or deleted; an amendment is a new revision."""

    plan = models.ForeignKey(
        AdvanceUsePlan, verbose_name=_("明細書"), on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveSmallIntegerField(_("版"))
    advance_amount = models.BigIntegerField(_("前払金額（この版の時点）"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作成者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)

    class Meta:
        db_table = "applications_advanceuseplanrevision"
        verbose_name = _("使途内訳明細書の版")
        verbose_name_plural = _("使途内訳明細書の版")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="use_plan_revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.guarantee.number} 第{self.number}版"


class AdvanceUseRow(models.Model):
    revision = models.ForeignKey(
        AdvanceUsePlanRevision, verbose_name=_("版"), on_delete=models.PROTECT, related_name="rows"
    )
    position = models.PositiveSmallIntegerField(_("順"))
    category = models.CharField(_("前払金を使用する項目"), max_length=30, choices=UseCategory.choices)
    quantity = models.CharField(_("全所要数量"), max_length=50, blank=True, help_text=_("未定も可"))
    total_required = models.BigIntegerField(_("全所要金額"), null=True, blank=True)
    advance_use = models.BigIntegerField(_("前払金使用金額"))
    payout_method = models.CharField(_("払出方法"), max_length=20, choices=PayoutMethod.choices)
    payout_schedule = models.CharField(
        _("払出予定"), max_length=50, blank=True, help_text=_("例: 令和8年8月。未定も可")
    )
    payee = models.CharField(_("支払先"), max_length=100, blank=True, help_text=_("未定も可"))

    class Meta:
        db_table = "applications_advanceuserow"
        verbose_name = _("使途内訳")
        verbose_name_plural = _("使途内訳")
        ordering = ["revision", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "position"], name="use_row_unique_position_in_revision"
            ),
            models.CheckConstraint(condition=models.Q(advance_use__gt=0), name="use_row_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(total_required__isnull=True)
                | models.Q(total_required__gte=models.F("advance_use")),
                name="use_row_within_total_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.advance_use:,}"


class WithdrawalRequest(models.Model):
    """前払金払出依頼書: one request to the bank to pay out of the advance account."""

    guarantee = models.ForeignKey(
        Guarantee, verbose_name=_("保証契約"), on_delete=models.PROTECT, related_name="withdrawal_requests"
    )
    sequence = models.PositiveSmallIntegerField(_("回"))
    requested_on = models.DateField(_("払出希望日"))
    total = models.BigIntegerField(_("払出額"))
    balance_after = models.BigIntegerField(_("払出後の残高"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作成者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        db_table = "applications_withdrawalrequest"
        verbose_name = _("前払金払出依頼書")
        verbose_name_plural = _("前払金払出依頼書")
        ordering = ["guarantee", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["guarantee", "sequence"], name="withdrawal_unique_sequence"),
            models.CheckConstraint(condition=models.Q(total__gt=0), name="withdrawal_total_positive"),
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0), name="withdrawal_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guarantee.number} 第{self.sequence}回 {self.total:,}"


class WithdrawalLine(models.Model):
    request = models.ForeignKey(
        WithdrawalRequest, verbose_name=_("払出依頼書"), on_delete=models.CASCADE, related_name="lines"
    )
    category = models.CharField(_("項目"), max_length=30, choices=UseCategory.choices)
    payee = models.CharField(_("支払先"), max_length=100)
    amount = models.BigIntegerField(_("金額"))

    class Meta:
        db_table = "applications_withdrawalline"
        verbose_name = _("払出の内訳")
        verbose_name_plural = _("払出の内訳")
        ordering = ["request", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="withdrawal_line_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount:,}"
