"""Portal accounts: contractors' users (login IDs issued by the company) and branch staff."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in.

    A contractor's user belongs to exactly one contractor (保証契約者). A staff user may belong to a
    branch; a clerk with a branch sees that branch's contracts only in admin.
    """

    contractor = models.ForeignKey(
        "guarantees.Contractor",
        verbose_name=_("保証契約者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    branch = models.ForeignKey(
        "guarantees.Branch",
        verbose_name=_("所属支店"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_users",
        help_text=_("支店の職員は自支店の保証契約だけを扱えます。空欄は全支店。"),
    )
    must_change_password = models.BooleanField(
        _("次回ログイン時にパスワード変更"),
        default=True,
        help_text=_("会社が発行したパスワードでの初回ログインでは変更を求めます。"),
    )

    class Meta:
        verbose_name = _("ユーザー")
        verbose_name_plural = _("ユーザー")
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(is_staff=True) & models.Q(contractor__isnull=False)),
                name="user_staff_is_not_contractor",
                violation_error_message=_("職員アカウントに保証契約者は設定できません。"),
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def is_contractor_user(self) -> bool:
        return self.contractor_id is not None
