"""Business actions on authentication keys (認証キー)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from guarantees.errors import GuaranteeError
from guarantees.models import Guarantee
from guarantees.services import audit_record

from . import keys
from .audit_actions import AUTHKEY_DISPLAYED, AUTHKEY_ISSUED, AUTHKEY_REISSUED
from .models import AuthKey


def _create(*, guarantee: Guarantee, by: User | None, key: str | None) -> tuple[AuthKey, str]:
    if key is None:
        key = keys.generate_key()
    key = keys.normalize_key(key)
    if not keys.is_well_formed_key(key):
        raise GuaranteeError("malformed_key", _("認証キーの形式が正しくありません。"), field="key")
    auth_key = AuthKey.objects.create(
        guarantee=guarantee,
        digest=keys.key_digest(contract_number=guarantee.number, key=key),
        ciphertext=keys.encrypt_key(contract_number=guarantee.number, key=key),
        created_by=by if by is not None and by.pk else None,
    )
    return auth_key, key


@transaction.atomic
def authkey_issue(*, guarantee: Guarantee, issued_by: User | None, key: str | None = None) -> AuthKey:
    """Issue the first key of an electronic guarantee. Part of certificate issuance.

    ``key`` is only for taking over a key issued elsewhere (the demo data); normally it is generated.
    """
    if not guarantee.is_electronic:
        raise GuaranteeError("paper_has_no_key", _("書面の保証証書には認証キーを発行しません。"))
    if AuthKey.objects.filter(guarantee=guarantee, revoked_at__isnull=True).exists():
        raise GuaranteeError("key_exists", _("この保証契約には既に認証キーがあります。"))
    auth_key, _key = _create(guarantee=guarantee, by=issued_by, key=key)
    audit_record(action=AUTHKEY_ISSUED, actor=issued_by, guarantee=guarantee)
    return auth_key


@transaction.atomic(durable=True)
def authkey_reissue(*, guarantee: Guarantee, reissued_by: User | None, reason: str = "") -> AuthKey:
    """Replace the key: the old one stops working the moment this commits."""
    guarantee = Guarantee.objects.select_for_update().get(pk=guarantee.pk)
    if not guarantee.is_electronic:
        raise GuaranteeError("paper_has_no_key", _("書面の保証証書には認証キーを発行しません。"))
    revoked = AuthKey.objects.filter(guarantee=guarantee, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    auth_key, _key = _create(guarantee=guarantee, by=reissued_by, key=None)
    audit_record(
        action=AUTHKEY_REISSUED,
        actor=reissued_by,
        guarantee=guarantee,
        data={"revoked": revoked, "reason": reason.strip()},
    )
    return auth_key


@transaction.atomic(durable=True)
def authkey_reveal(*, guarantee: Guarantee, user: User) -> str:
    """The key in clear for its contractor's 認証キー表示画面, recording who displayed it and when.

    The caller has checked that ``user`` may see this guarantee (selectors do that).
    """
    auth_key = AuthKey.objects.filter(guarantee=guarantee, revoked_at__isnull=True).first()
    if auth_key is None:
        raise GuaranteeError("no_key", _("この保証契約には認証キーがありません。"))
    key = keys.decrypt_key(contract_number=guarantee.number, ciphertext=auth_key.ciphertext)
    audit_record(action=AUTHKEY_DISPLAYED, actor=user, guarantee=guarantee)
    return key
