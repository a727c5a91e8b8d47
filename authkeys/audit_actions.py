"""The audit trail's actions of 認証キー (``guarantees.audit``)."""

from django.utils.translation import gettext_lazy as _

from guarantees.audit import register

AUTHKEY_ISSUED = register("authkey.issued", _("認証キーの発行"))
AUTHKEY_REISSUED = register("authkey.reissued", _("認証キーの再発行"))
AUTHKEY_DISPLAYED = register("authkey.displayed", _("認証キーの表示"))
