"""e-Net保証: contractors' applications for guarantees, their history and their documents.

An application is a draft the contractor edits in steps, then a request staff review, then (after the
fee is paid) the guarantee it issued. A change (増額・減額・保証期限変更) or a 解約 of an issued guarantee
is an application too, with ``purpose`` saying which. Every state change is a row of
``ApplicationTransition``; money is integer yen.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guarantees.formatting import slash_time
from guarantees.models import Bank, Branch, Contractor, Guarantee, GuaranteeKind, Orderer

# 保証料入金待ち once the payment is recorded: the application now waits for 発行.
FEE_PAID_LABEL = _("入金済・発行待ち")


class Application(models.Model):
    class Purpose(models.TextChoices):
        NEW = "new", _("新規")
        CHANGE = "change", _("変更")
        CANCEL = "cancel", _("解約")

    class State(models.TextChoices):
        DRAFT = "draft", _("下書き")
        SUBMITTED = "submitted", _("申込済")
        IN_REVIEW = "in_review", _("審査中")
        RETURNED = "returned", _("差戻し")
        REFUSED = "refused", _("謝絶")
        AWAITING_FEE = "awaiting_fee", _("保証料入金待ち")
        ISSUED = "issued", _("発行済")

    class ChangeType(models.TextChoices):
        INCREASE = "increase", _("増額")
        DECREASE = "decrease", _("減額")
        PERIOD = "period", _("保証期限変更")

    class AccountType(models.TextChoices):
        ORDINARY = "ordinary", _("普通預金")
        SETTLEMENT = "settlement", _("決済用預金")

    purpose = models.CharField(_("申込の種類"), max_length=10, choices=Purpose.choices, default=Purpose.NEW)
    kind = models.CharField(_("区分"), max_length=20, choices=GuaranteeKind.choices)
    state = models.CharField(
        _("状態"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    contractor = models.ForeignKey(
        Contractor, verbose_name=_("保証契約者"), on_delete=models.PROTECT, related_name="applications"
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("取扱支店"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    orderer = models.ForeignKey(
        Orderer,
        verbose_name=_("発注者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    # --- The work ---
    work_name = models.CharField(_("工事名"), max_length=200, blank=True)
    work_place = models.CharField(_("工事場所"), max_length=200, blank=True)
    contract_date = models.DateField(_("契約締結日"), null=True, blank=True)
    construction_start = models.DateField(_("工期開始日"), null=True, blank=True)
    construction_end = models.DateField(_("工期末日"), null=True, blank=True)
    guarantee_period_end = models.DateField(
        _("保証期限"),
        null=True,
        blank=True,
        help_text=_("空欄は工期末日と同じです（複数年度の工事の年度末など）。"),
    )
    # --- Amounts (integer yen) ---
    multi_year = models.BooleanField(_("複数年度の工事"), default=False)
    contract_amount_total = models.BigIntegerField(_("請負金額(総額)"), null=True, blank=True)
    contract_amount_target = models.BigIntegerField(
        _("請負金額(対象額)"), null=True, blank=True, help_text=_("複数年度の工事で保証の対象となる額。")
    )
    guarantee_amount = models.BigIntegerField(_("保証金額"), null=True, blank=True)
    progress_amount = models.BigIntegerField(
        _("出来高"), null=True, blank=True, help_text=_("中間前払金: 申込時点の出来高（円）。")
    )
    # --- The advance account ---
    bank = models.ForeignKey(
        Bank,
        verbose_name=_("預託金融機関"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    account_type = models.CharField(_("預金種目"), max_length=20, choices=AccountType.choices, blank=True)
    account_number = models.CharField(_("口座番号"), max_length=7, blank=True)
    account_holder = models.CharField(_("口座名義"), max_length=100, blank=True)
    # --- Links: the advance a rider belongs to; the guarantee a change or 解約 is for ---
    parent_guarantee = models.ForeignKey(
        Guarantee,
        verbose_name=_("元の前払金保証"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rider_applications",
    )
    parent_application = models.ForeignKey(
        "self",
        verbose_name=_("同時に申し込む前払金保証"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rider_applications",
    )
    advance_planned = models.BooleanField(
        _("前払金の請求を予定している"),
        default=False,
        help_text=_("契約保証特約は前払金を予定する工事に限ります。"),
    )
    target_guarantee = models.ForeignKey(
        Guarantee,
        verbose_name=_("変更・解約する保証契約"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_applications",
    )
    change_type = models.CharField(_("変更の内容"), max_length=20, choices=ChangeType.choices, blank=True)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    # --- Fee: quoted on submission, paid before issue ---
    fee_base = models.BigIntegerField(_("保証料（割引前）"), null=True, blank=True)
    fee_discount = models.BigIntegerField(_("e-Net割引"), null=True, blank=True)
    fee_amount = models.BigIntegerField(_("保証料"), null=True, blank=True)
    fee_quoted_on = models.DateField(_("保証料の計算日"), null=True, blank=True)
    fee_paid_amount = models.BigIntegerField(_("入金額"), null=True, blank=True)
    fee_paid_on = models.DateField(_("入金日"), null=True, blank=True)
    # --- Outcome ---
    guarantee = models.ForeignKey(
        Guarantee,
        verbose_name=_("発行した保証契約"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="source_applications",
    )
    outcome_note = models.CharField(_("結果"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("申込日時"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作成者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("保証の申込")
        verbose_name_plural = _("保証の申込")
        ordering = ["-created_at", "-id"]
        permissions = [("review_application", _("申込を審査し、保証料を記録し、発行できる"))]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(contract_amount_total__isnull=True) | models.Q(contract_amount_total__gt=0)
                )
                & (models.Q(contract_amount_target__isnull=True) | models.Q(contract_amount_target__gt=0))
                & (models.Q(guarantee_amount__isnull=True) | models.Q(guarantee_amount__gt=0))
                & (models.Q(progress_amount__isnull=True) | models.Q(progress_amount__gte=0)),
                name="application_amounts_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(construction_start__isnull=True)
                | models.Q(construction_end__isnull=True)
                | models.Q(construction_end__gte=models.F("construction_start")),
                name="application_period_in_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(purpose="new") | models.Q(target_guarantee__isnull=True),
                name="application_new_has_no_target",
            ),
            models.CheckConstraint(
                condition=models.Q(purpose="new") | models.Q(target_guarantee__isnull=False),
                name="application_change_has_target",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="issued")
                | ~models.Q(purpose="new")
                | models.Q(guarantee__isnull=False),
                name="application_issued_has_guarantee",
            ),
            models.CheckConstraint(
                condition=(models.Q(fee_paid_amount__isnull=True) & models.Q(fee_paid_on__isnull=True))
                | (models.Q(fee_paid_amount__isnull=False) & models.Q(fee_paid_on__isnull=False)),
                name="application_fee_payment_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["contractor", "-created_at"], name="application_contractor_list"),
            models.Index(fields=["branch", "state", "submitted_at"], name="application_branch_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.get_kind_display()} {self.work_name or '-'}"

    @property
    def is_editable(self) -> bool:
        """The contractor may edit a draft and an application returned to it."""
        return self.state in (self.State.DRAFT, self.State.RETURNED)

    @property
    def state_label(self) -> str:
        """発行済 reads 変更済 / 解約済 for a change or a 解約."""
        if self.state == self.State.ISSUED and self.purpose == self.Purpose.CHANGE:
            return str(_("変更済"))
        if self.state == self.State.ISSUED and self.purpose == self.Purpose.CANCEL:
            return str(_("解約済"))
        if self.state == self.State.AWAITING_FEE and self.fee_is_paid:
            return str(FEE_PAID_LABEL)
        return str(self.get_state_display())

    @property
    def target_amount(self) -> int | None:
        """請負金額(対象額): the total unless a multi-year work names a smaller base."""
        if self.multi_year and self.contract_amount_target is not None:
            return self.contract_amount_target
        return self.contract_amount_total

    @property
    def effective_period_end(self) -> dt.date | None:
        return self.guarantee_period_end or self.construction_end

    @property
    def needs_account(self) -> bool:
        return self.purpose == self.Purpose.NEW and self.kind != GuaranteeKind.CONTRACT

    @property
    def fee_is_paid(self) -> bool:
        return self.fee_paid_amount is not None


class ApplicationTransition(models.Model):
    """One step of an application: who moved it from which state to which, when, and why."""

    class Event(models.TextChoices):
        CREATED = "created", _("作成")
        SUBMITTED = "submitted", _("申込")
        RESUBMITTED = "resubmitted", _("再申込")
        REVIEW_STARTED = "review_started", _("審査開始")
        RETURNED = "returned", _("差戻し")
        REFUSED = "refused", _("謝絶")
        APPROVED = "approved", _("承認")
        FEE_RECORDED = "fee_recorded", _("保証料の入金記録")
        ISSUED = "issued", _("発行")
        APPLIED = "applied", _("変更・解約の反映")

    application = models.ForeignKey(
        Application, verbose_name=_("申込"), on_delete=models.CASCADE, related_name="transitions"
    )
    event = models.CharField(_("操作"), max_length=20, choices=Event.choices)
    from_state = models.CharField(
        _("変更前の状態"), max_length=20, choices=Application.State.choices, blank=True
    )
    to_state = models.CharField(_("変更後の状態"), max_length=20, choices=Application.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作者"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("コメント"), blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("申込の履歴")
        verbose_name_plural = _("申込の履歴")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["application", "created_at"], name="transition_application_time")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {slash_time(self.created_at)}"

    @property
    def state_label(self) -> str:
        """The state the step left the application in, as a person reads it: once the fee is
        recorded the application waits for 発行, no longer for the payment."""
        if self.event == self.Event.FEE_RECORDED:
            return str(FEE_PAID_LABEL)
        return str(self.get_to_state_display())


def _document_path(instance: ApplicationDocument, filename: str) -> str:
    # The stored name never reuses the contractor's file name (it is kept in original_name).
    return f"applications/{instance.application_id}/{instance.sha256[:16]}.{instance.extension}"


class ApplicationDocument(models.Model):
    """An uploaded document: the contract, the orderer's 認定調書, or another paper asked for."""

    class DocType(models.TextChoices):
        CONTRACT = "contract", _("請負契約書")
        CERTIFICATION = "certification", _("認定調書")
        OTHER = "other", _("その他")

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    application = models.ForeignKey(
        Application, verbose_name=_("申込"), on_delete=models.CASCADE, related_name="documents"
    )
    doc_type = models.CharField(_("書類の種類"), max_length=20, choices=DocType.choices)
    file = models.FileField(_("ファイル"), upload_to=_document_path, max_length=200)
    original_name = models.CharField(_("ファイル名"), max_length=200)
    content_type = models.CharField(_("形式"), max_length=40, choices=ContentType.choices)
    size = models.PositiveIntegerField(_("サイズ（バイト）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("申込書類")
        verbose_name_plural = _("申込書類")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.original_name}"

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
            self.content_type, "bin"
        )
