"""The audit trail's actions of notifications: keys sent to the orderer and change subscriptions
(``guarantees.audit``)."""

from django.utils.translation import gettext_lazy as _

from guarantees.audit import register

KEY_SUBMITTED = register("key.submitted", _("認証キーの発注者への提出"))
KEY_RECEIPT_CONFIRMED = register("key.receipt_confirmed", _("発注者による受領確認"))
SUBSCRIPTION_CONFIRMED = register("subscription.confirmed", _("変更通知の登録"))
SUBSCRIPTION_CANCELLED = register("subscription.cancelled", _("変更通知の停止"))
