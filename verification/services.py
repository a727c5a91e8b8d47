"""Verification: the one entry point used by the /verify/ page and by ``POST /api/v1/verifications``.

``verification_perform`` normalises the input, applies the brute-force limits, compares the key and
records the attempt. Every failed match (unknown number, wrong key, revoked key, paper guarantee)
takes the same path and ends in the same ``not_found`` error, so a caller learns nothing about which
numbers exist.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from authkeys import keys
from authkeys.selectors import guarantee_matching_key
from certificates.models import Certificate
from certificates.tokens import verified_access_token
from guarantees.models import Guarantee

from . import ratelimit
from .errors import VerificationError
from .models import VerificationAttempt
from .ratelimit import Client, LimiterUnavailable

logger = logging.getLogger(__name__)

#: Longer input than this is not a typing variant of a number or key; it is refused before NFKC.
MAX_INPUT_LENGTH = 64


def not_found_message() -> str:
    return _("番号または認証キーが正しくありません")


@dataclass(frozen=True)
class VerificationInput:
    contract_number: str  # normalised; well-formed only when "contract_number" not in errors
    auth_key: str
    errors: dict[str, list[str]]


@dataclass(frozen=True)
class Verification:
    attempt_id: int
    guarantee: Guarantee
    certificate: Certificate  # the newest version
    versions: list[Certificate]  # newest first
    access_token: str  # certificates.tokens: come back to the result without the key


@sensitive_variables("auth_key", "key")
def verification_input(*, contract_number: str, auth_key: str) -> VerificationInput:
    """Normalise what a person typed (full-width, spaces, hyphens, lower case) and say what is wrong
    with it, field by field, in Japanese."""
    errors: dict[str, list[str]] = {}
    number = keys.normalize_contract_number(contract_number[: MAX_INPUT_LENGTH + 1])
    key = keys.normalize_key(auth_key[: MAX_INPUT_LENGTH + 1])
    if not number:
        errors["contract_number"] = [_("保証契約番号を入力してください。")]
    elif len(contract_number) > MAX_INPUT_LENGTH or not keys.is_well_formed_contract_number(number):
        errors["contract_number"] = [_("保証契約番号は10桁の数字で入力してください。")]
    if not key:
        errors["auth_key"] = [_("認証キーを入力してください。")]
    elif len(auth_key) > MAX_INPUT_LENGTH or not keys.is_well_formed_key(key):
        errors["auth_key"] = [
            _(
                "認証キーは英大文字・数字・記号（+ _）の12文字で入力してください"
                "（0・O・1・I は使われません）。"
            )
        ]
    return VerificationInput(contract_number=number, auth_key=key, errors=errors)


@sensitive_variables("auth_key", "key", "entered")
def verification_perform(
    *, contract_number: str, auth_key: str, client: Client, channel: str
) -> Verification:
    """Verify a 保証契約番号 + 認証キー and return the certificate, or raise ``VerificationError``.

    Order matters: the limits are applied before the input is judged or the key compared, so a
    throttled client learns nothing, and even the correct key is refused while a limit holds.
    """
    entered = verification_input(contract_number=contract_number, auth_key=auth_key)
    number_ok = "contract_number" not in entered.errors
    number = entered.contract_number if number_ok else ""
    try:
        decision = ratelimit.acquire(
            client_hash=client.hash, contract_number=number if not entered.errors else None
        )
    except LimiterUnavailable:
        logger.error("Verification refused: the limiter's Redis is unavailable.")
        _attempt_record(
            outcome=VerificationAttempt.Outcome.UNAVAILABLE, channel=channel, number=number, client=client
        )
        raise VerificationError(
            "unavailable",
            _("現在、証書の確認を受け付けられません。しばらくしてから、もう一度お試しください。"),
            retry_after=60,
        ) from None
    if not decision.allowed:
        _attempt_record(
            outcome=VerificationAttempt.Outcome.THROTTLED, channel=channel, number=number, client=client
        )
        minutes = max(1, -(-decision.retry_after // 60))
        raise VerificationError(
            "throttled",
            _("確認の回数が上限に達しました。約%(minutes)d分後に、もう一度お試しください。")
            % {"minutes": minutes},
            retry_after=decision.retry_after,
        )
    if entered.errors:
        _attempt_record(
            outcome=VerificationAttempt.Outcome.MALFORMED, channel=channel, number=number, client=client
        )
        raise VerificationError("invalid", _("入力内容を確認してください。"), field_errors=entered.errors)

    guarantee = guarantee_matching_key(contract_number=entered.contract_number, key=entered.auth_key)
    versions = list(Certificate.objects.filter(guarantee=guarantee).order_by("-version")) if guarantee else []
    if guarantee is None or not versions:
        _attempt_record(
            outcome=VerificationAttempt.Outcome.FAILURE, channel=channel, number=number, client=client
        )
        raise VerificationError("not_found", not_found_message())

    try:
        ratelimit.refund(contract_number=number)
    except LimiterUnavailable:
        # The match stands; the reserved failure simply stays counted until its window ends.
        logger.warning("Verification succeeded but its reserved failure could not be given back.")
    attempt = _attempt_record(
        outcome=VerificationAttempt.Outcome.SUCCESS,
        channel=channel,
        number=number,
        client=client,
        guarantee=guarantee,
        certificate=versions[0],
    )
    return Verification(
        attempt_id=attempt.pk,
        guarantee=guarantee,
        certificate=versions[0],
        versions=versions,
        access_token=verified_access_token(certificate_id=versions[0].pk, verification_id=attempt.pk),
    )


@transaction.atomic(durable=True)
def _attempt_record(
    *,
    outcome: str,
    channel: str,
    number: str,
    client: Client,
    guarantee: Guarantee | None = None,
    certificate: Certificate | None = None,
) -> VerificationAttempt:
    return VerificationAttempt.objects.create(
        outcome=outcome,
        channel=channel,
        contract_number=number,
        guarantee=guarantee,
        certificate=certificate,
        client_hash=client.hash,
        user_agent=client.user_agent,
    )
