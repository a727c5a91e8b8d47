"""The audit trail's actions of the advance's paperwork: 使途内訳明細書 and 払出依頼書
(``guarantees.audit``)."""

from django.utils.translation import gettext_lazy as _

from guarantees.audit import register

USE_PLAN_SAVED = register("use_plan.saved", _("使途内訳明細書の作成"))
USE_PLAN_AMENDED = register("use_plan.amended", _("使途内訳明細書の変更"))
WITHDRAWAL_REQUESTED = register("withdrawal.requested", _("払出依頼書の作成"))
