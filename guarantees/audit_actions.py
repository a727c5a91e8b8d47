"""The audit trail's actions of guarantees (``guarantees.audit``)."""

from django.utils.translation import gettext_lazy as _

from .audit import register

GUARANTEE_REGISTERED = register("guarantee.registered", _("保証契約の登録"))
GUARANTEE_CHANGED = register("guarantee.changed", _("保証契約の変更"))
GUARANTEE_CANCELLED = register("guarantee.cancelled", _("保証契約の解約"))
GUARANTEE_REVOKED = register("guarantee.revoked", _("保証契約の取消"))
