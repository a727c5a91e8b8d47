"""The guarantee domain: the guarantor, its branches, contractors, orderers, banks and guarantees.

Money is integer yen (``BigIntegerField``). Dates that the business reasons about (contract date,
guarantee period, construction end) are plain dates in Japan; instants are aware datetimes.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .audit import ACTION_MAX_LENGTH, label_for
from .formatting import slash_time

StrOrPromise = str | Promise

branch_code_validator = RegexValidator(r"^\d{3}$", _("支店コードは3桁の数字で入力してください。"))
contract_number_validator = RegexValidator(r"^\d{10}$", _("保証契約番号は10桁の数字です。"))


class GuarantorCompany(models.Model):
    """The surety company (保証事業会社) printed in the certificate's company block."""

    name = models.CharField(_("会社名"), max_length=100)
    address = models.CharField(_("本店所在地"), max_length=200)
    representative_title = models.CharField(_("代表者役職"), max_length=50)
    representative_name = models.CharField(_("代表者氏名"), max_length=50)
    terms_url = models.URLField(_("約款のURL"), max_length=200)

    class Meta:
        verbose_name = _("保証事業会社")
        verbose_name_plural = _("保証事業会社")

    def __str__(self) -> str:
        return self.name

    @property
    def representative(self) -> str:
        return f"{self.representative_title} {self.representative_name}"


class Branch(models.Model):
    """A branch of the guarantor (取組場所 on the certificate)."""

    company = models.ForeignKey(GuarantorCompany, on_delete=models.PROTECT, related_name="branches")
    name = models.CharField(_("支店名"), max_length=50)
    code = models.CharField(_("支店コード"), max_length=3, unique=True, validators=[branch_code_validator])
    address = models.CharField(_("所在地"), max_length=200)
    tel = models.CharField(_("電話番号"), max_length=20)
    fax = models.CharField(_("FAX番号"), max_length=20)

    class Meta:
        verbose_name = _("支店")
        verbose_name_plural = _("支店")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Contractor(models.Model):
    """A contractor (受注者 / 保証契約者) as printed on certificates: company name and office."""

    company_name = models.CharField(_("会社名"), max_length=100)
    office_name = models.CharField(_("事業所名"), max_length=100, blank=True)
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    notice_emails = models.TextField(
        _("お知らせメールの宛先"),
        blank=True,
        help_text=_("1行に1件。電子証書・認証キーの登録お知らせメールを送ります。"),
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("保証契約者")
        verbose_name_plural = _("保証契約者")
        ordering = ["company_name", "office_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.company_name} {self.office_name}".strip()

    @property
    def notice_email_list(self) -> list[str]:
        return [line.strip() for line in self.notice_emails.splitlines() if line.strip()]


class Orderer(models.Model):
    """An orderer (発注者 / 被保証者), named by the official title printed on certificates."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("国")
        PREFECTURE = "prefecture", _("都道府県")
        MUNICIPALITY = "municipality", _("市区町村")
        OTHER = "other", _("その他")

    title = models.CharField(
        _("被保証者（官職名）"), max_length=120, help_text=_("例: 支出負担行為担当官 近畿地方整備局長")
    )
    organisation = models.CharField(_("機関名"), max_length=100)
    kind = models.CharField(_("発注者区分"), max_length=20, choices=Kind.choices)
    e_guarantee_adopted_on = models.DateField(
        _("電子保証の導入日"),
        null=True,
        blank=True,
        help_text=_("この日以後に締結した保証契約は電子証書になります。空欄は未導入。"),
    )
    # Fractions of the contract amount, in tenths, with the standard clauses' defaults.
    advance_max_tenths = models.PositiveSmallIntegerField(_("前払金の上限（10分の）"), default=4)
    interim_max_tenths = models.PositiveSmallIntegerField(_("中間前払金の上限（10分の）"), default=2)
    contract_min_tenths = models.PositiveSmallIntegerField(_("契約保証の下限（10分の）"), default=1)

    class Meta:
        verbose_name = _("発注者")
        verbose_name_plural = _("発注者")
        ordering = ["organisation", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(advance_max_tenths__lte=10)
                & models.Q(interim_max_tenths__lte=10)
                & models.Q(contract_min_tenths__lte=10),
                name="orderer_fractions_at_most_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def has_adopted_e_guarantee_by(self, day: dt.date) -> bool:
        return self.e_guarantee_adopted_on is not None and day >= self.e_guarantee_adopted_on


class OrdererDepartment(models.Model):
    """A department (事業担当課) of an orderer that receives certificates by e-mail."""

    orderer = models.ForeignKey(Orderer, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("部署名"), max_length=100)
    email = models.EmailField(_("提出先メールアドレス"))

    class Meta:
        verbose_name = _("発注者の部署")
        verbose_name_plural = _("発注者の部署")
        ordering = ["orderer", "name"]

    def __str__(self) -> str:
        return f"{self.orderer.organisation} {self.name}"


class Bank(models.Model):
    """A bank branch (保証金納付機関 / 預託金融機関) holding the advance account."""

    name = models.CharField(_("金融機関名"), max_length=60)
    branch_name = models.CharField(_("支店名"), max_length=60)

    class Meta:
        verbose_name = _("金融機関")
        verbose_name_plural = _("金融機関")
        ordering = ["name", "branch_name"]
        constraints = [models.UniqueConstraint(fields=["name", "branch_name"], name="bank_unique_branch")]

    def __str__(self) -> str:
        return f"{self.name} {self.branch_name}"


class GuaranteeKind(models.TextChoices):
    ADVANCE = "advance", _("前払金保証")
    INTERIM_ADVANCE = "interim_advance", _("中間前払金保証")
    CONTRACT = "contract", _("契約保証特約")


#: The two digits of a contract number that name its kind: ``107|00|00473`` is a 前払金保証.
KIND_NUMBER_CODES: dict[str, str] = {
    GuaranteeKind.ADVANCE: "00",
    GuaranteeKind.INTERIM_ADVANCE: "01",
    GuaranteeKind.CONTRACT: "02",
}

#: The short names of the 区分 column of 保証工事一覧.
KIND_SHORT_LABELS: dict[str, StrOrPromise] = {
    GuaranteeKind.ADVANCE: _("前払"),
    GuaranteeKind.INTERIM_ADVANCE: _("中間前払"),
    GuaranteeKind.CONTRACT: _("契約"),
}


class GuaranteeNumberSequence(models.Model):
    """The next serial for one (branch, kind); locked row by row so numbers have no gaps or races."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="number_sequences")
    kind = models.CharField(max_length=20, choices=GuaranteeKind.choices)
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("保証契約番号の採番")
        verbose_name_plural = _("保証契約番号の採番")
        constraints = [
            models.UniqueConstraint(fields=["branch", "kind"], name="number_sequence_unique"),
            models.CheckConstraint(
                condition=models.Q(last_serial__lte=99999), name="number_sequence_5_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch.code}-{KIND_NUMBER_CODES[self.kind]}: {self.last_serial}"


class GuaranteeQuerySet(models.QuerySet["Guarantee"]):
    def current(self, *, today: dt.date | None = None) -> GuaranteeQuerySet:
        """Guarantees in force: what ``guarantees.status`` reads as 有効."""
        from .status import StatusCode, status_query

        return self.filter(status_query(StatusCode.ACTIVE, today=today))

    def past(self, *, today: dt.date | None = None) -> GuaranteeQuerySet:
        """過去の保証: cancelled, revoked, or past the end of the guarantee period."""
        from .status import StatusCode, status_query

        return self.exclude(status_query(StatusCode.ACTIVE, today=today))


class Guarantee(models.Model):
    """A guarantee contract (保証契約): the live record that certificates snapshot.

    ``status`` holds what staff decided (有効, 解約, 取消); 保証期間満了 follows from the date and is
    derived (``guarantees.status.guarantee_status``), so no nightly job can forget to mark it. Never
    print ``get_status_display()`` to a person: it reads 有効 for an expired guarantee.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("有効")
        CANCELLED = "cancelled", _("解約")
        REVOKED = "revoked", _("取消")

    class Medium(models.TextChoices):
        ELECTRONIC = "electronic", _("電子")
        PAPER = "paper", _("書面")

    number = models.CharField(
        _("保証契約番号"), max_length=10, unique=True, validators=[contract_number_validator]
    )
    kind = models.CharField(_("区分"), max_length=20, choices=GuaranteeKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("元の前払金保証"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="riders",
        help_text=_("中間前払金保証・契約保証特約が付く前払金保証。"),
    )
    contractor = models.ForeignKey(
        Contractor, verbose_name=_("保証契約者"), on_delete=models.PROTECT, related_name="guarantees"
    )
    orderer = models.ForeignKey(
        Orderer, verbose_name=_("被保証者"), on_delete=models.PROTECT, related_name="guarantees"
    )
    orderer_department = models.ForeignKey(
        OrdererDepartment,
        verbose_name=_("発注者の担当部署"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guarantees",
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("取組場所"), on_delete=models.PROTECT, related_name="guarantees"
    )
    bank = models.ForeignKey(
        Bank,
        verbose_name=_("保証金納付機関"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guarantees",
    )
    work_name = models.CharField(_("工事名"), max_length=200)
    contract_amount_total = models.BigIntegerField(_("請負金額(総額)"))
    contract_amount_target = models.BigIntegerField(_("請負金額(対象額)"))
    guarantee_amount = models.BigIntegerField(_("保証金額"))
    concluded_on = models.DateField(_("保証契約締結日"))
    guarantee_period_end = models.DateField(_("保証期間"))
    construction_end_date = models.DateField(_("工期末日"))
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField(_("状態の変更日"), null=True, blank=True)
    status_reason = models.CharField(_("状態の理由"), max_length=200, blank=True)
    medium = models.CharField(_("種別"), max_length=20, choices=Medium.choices)
    # The latest certificate version's number, 証書発行日 and (変更) mark, written by the service that
    # issues the version (certificates.services) in the same transaction, so that 保証工事一覧 reads
    # them from the row instead of looking the version up per guarantee. None: no certificate yet.
    latest_certificate_version = models.PositiveSmallIntegerField(
        _("証書の最新版"), null=True, blank=True, editable=False
    )
    latest_certificate_issued_on = models.DateField(
        _("最新版の証書発行日"), null=True, blank=True, editable=False
    )
    latest_certificate_is_change = models.BooleanField(_("最新版が変更証書"), default=False, editable=False)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = GuaranteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("保証契約")
        verbose_name_plural = _("保証契約")
        ordering = ["-concluded_on", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contract_amount_total__gt=0)
                & models.Q(contract_amount_target__gt=0)
                & models.Q(guarantee_amount__gt=0),
                name="guarantee_amounts_positive",
                violation_error_message=_("金額は1円以上で入力してください。"),
            ),
            models.CheckConstraint(
                condition=models.Q(contract_amount_target__lte=models.F("contract_amount_total")),
                name="guarantee_target_within_total",
                violation_error_message=_("請負金額(対象額)は請負金額(総額)以下にしてください。"),
            ),
            models.CheckConstraint(
                condition=models.Q(guarantee_period_end__gte=models.F("concluded_on")),
                name="guarantee_period_after_conclusion",
                violation_error_message=_("保証期間は保証契約締結日以後の日付にしてください。"),
            ),
            models.CheckConstraint(
                condition=models.Q(number__regex=r"^[0-9]{10}$"), name="guarantee_number_10_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    latest_certificate_version__isnull=True,
                    latest_certificate_issued_on__isnull=True,
                    latest_certificate_is_change=False,
                )
                | models.Q(
                    latest_certificate_version__isnull=False,  # (a comparison with NULL passes a check)
                    latest_certificate_version__gte=1,
                    latest_certificate_issued_on__isnull=False,
                )
                & (models.Q(latest_certificate_is_change=False) | models.Q(latest_certificate_version__gt=1)),
                name="guarantee_latest_certificate_whole",
            ),
        ]
        indexes = [
            # 保証工事一覧: a contractor's guarantees with a certificate, newest first (count and page).
            models.Index(
                fields=["contractor", "-concluded_on", "-number"],
                condition=models.Q(latest_certificate_version__isnull=False),
                name="guarantee_contractor_list",
            ),
            models.Index(fields=["branch", "status"], name="guarantee_branch_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.work_name}"

    @property
    def kind_short_label(self) -> str:
        return str(KIND_SHORT_LABELS[self.kind])

    @property
    def is_electronic(self) -> bool:
        return self.medium == self.Medium.ELECTRONIC

    def is_in_force(self, *, today: dt.date | None = None) -> bool:
        """Active and within its period on ``today`` (default: today in Japan)."""
        from .status import guarantee_status

        return guarantee_status(self, today=today).in_force

    def display_status(self, *, today: dt.date | None = None) -> str:
        """What a person reads: 有効, 保証期間満了, 解約 or 取消 (``guarantees.status``)."""
        from .status import guarantee_status

        return guarantee_status(self, today=today).label


class AuditEvent(models.Model):
    """One row per state change of the business, written in the same transaction as the change."""

    # The actions are declared by the apps that record them (guarantees.audit), not as choices here.
    action = models.CharField(_("操作"), max_length=ACTION_MAX_LENGTH, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    guarantee = models.ForeignKey(
        Guarantee,
        verbose_name=_("保証契約"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["guarantee", "-created_at"], name="audit_guarantee_time")]

    def __str__(self) -> str:
        return f"{self.action_label} {slash_time(self.created_at)}"

    @property
    def action_label(self) -> str:
        """The action as staff read it (保証契約の登録), from the registry of guarantees.audit."""
        return label_for(self.action)
