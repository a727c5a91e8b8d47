"""Verification: the one entry point used by the /verify/ page and by the API (single and batch).

``verifications_perform`` normalises the input, compares the keys, lets the brute-force limits decide
what may be told, and records every attempt. Every failed match (unknown number, wrong key, revoked
key, paper guarantee) takes the same path and ends in the same ``not_found`` error, so a caller
learns nothing about which numbers exist.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from authkeys import keys
from certificates.models import Certificate
from certificates.tokens import verified_access_token
from guarantees.models import Guarantee
from guarantees.numbers import is_well_formed_contract_number, normalize_contract_number
from portal.redis_client import LimiterUnavailable

from . import ratelimit, selectors
from .errors import VerificationError
from .models import VerificationAttempt
from .ratelimit import Client

logger = logging.getLogger(__name__)

# A digest to compare against when the number is unknown, so both paths do the same work.
_NO_SUCH_DIGEST = "0" * 64

#: Longer input than this is not a typing variant of a number or key; it is refused before NFKC.
MAX_INPUT_LENGTH = 64


def not_found_message() -> str:
    return _("番号または認証キーが正しくありません")


@dataclass(frozen=True)
class VerificationInput:
    contract_number: str  # normalised; well-formed only when "contract_number" not in errors
    auth_key: str
    errors: dict[str, list[str]]


@dataclass
class Verification:
    attempt_id: int
    guarantee: Guarantee
    certificate: Certificate  # the newest version
    versions: list[Certificate]  # newest first

    @property
    def access_token(self) -> str:
        """certificates.tokens: come back to the result without the key (the page's redirect)."""
        return verified_access_token(certificate_id=self.certificate.pk, verification_id=self.attempt_id)


@sensitive_variables("auth_key", "key")
def verification_input(*, contract_number: str, auth_key: str) -> VerificationInput:
    """Normalise what a person typed (full-width, spaces, hyphens, lower case) and say what is wrong
    with it, field by field, in Japanese."""
    errors: dict[str, list[str]] = {}
    number = normalize_contract_number(contract_number[: MAX_INPUT_LENGTH + 1])
    key = keys.normalize_key(auth_key[: MAX_INPUT_LENGTH + 1])
    if not number:
        errors["contract_number"] = [_("保証契約番号を入力してください。")]
    elif len(contract_number) > MAX_INPUT_LENGTH or not is_well_formed_contract_number(number):
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


@sensitive_variables("auth_key")
def verification_perform(
    *, contract_number: str, auth_key: str, client: Client, channel: str
) -> Verification:
    """Verify a 保証契約番号 + 認証キー and return the certificate, or raise ``VerificationError``.

    The limits decide before anything is told: while one holds, even the correct key is refused, and
    a throttled client learns nothing about its input.
    """
    result = verifications_perform(pairs=[(contract_number, auth_key)], client=client, channel=channel)[0]
    if isinstance(result, VerificationError):
        raise result
    return result


@sensitive_variables("pairs", "entries")
def verifications_perform(
    *, pairs: Sequence[tuple[str, str]], client: Client, channel: str
) -> list[Verification | VerificationError]:
    """Verify each (number, key) pair, in order, exactly as single calls would be, and record one
    attempt per pair. The work is shared: one key lookup for every number, one limiter round trip
    (``ratelimit.settle`` counts the items in order, so a number's failure limit applies to the
    items of one call as to separate calls), and one durable insert of the attempts.

    Every failed match (unknown number, wrong key, revoked key, paper guarantee) does the same work:
    one HMAC and one constant-time comparison against a real or a dummy digest.
    """
    entries = [verification_input(contract_number=number, auth_key=key) for number, key in pairs]
    numbers = sorted({entry.contract_number for entry in entries if not entry.errors})
    candidates = selectors.key_candidates(numbers=numbers)
    outcomes: list[int] = []
    matches: list[selectors.KeyCandidate | None] = []
    for entry in entries:
        if entry.errors:
            outcomes.append(ratelimit.MALFORMED)
            matches.append(None)
            continue
        candidate = candidates.get(entry.contract_number)
        entered = keys.key_digest(contract_number=entry.contract_number, key=entry.auth_key)
        stored = candidate.digest if candidate is not None else _NO_SUCH_DIGEST
        matched = keys.digests_match(stored, entered) and candidate is not None
        outcomes.append(ratelimit.SUCCESS if matched else ratelimit.FAILURE)
        matches.append(candidate if matched else None)
    settle_items = [
        (outcome, None if entry.errors else entry.contract_number)
        for outcome, entry in zip(outcomes, entries, strict=True)
    ]
    try:
        decisions = ratelimit.settle(client=client, items=settle_items)
    except LimiterUnavailable:
        logger.error("Verification refused: the limiter's Redis is unavailable.")
        decisions = None

    rows: list[VerificationAttempt] = []
    results: list[Verification | VerificationError] = []
    for index, entry in enumerate(entries):
        number = entry.contract_number if "contract_number" not in entry.errors else ""
        candidate = matches[index]
        outcome: str
        result: Verification | VerificationError
        if decisions is None:
            outcome = VerificationAttempt.Outcome.UNAVAILABLE
            result = _unavailable()
        elif not decisions[index].allowed:
            outcome = VerificationAttempt.Outcome.THROTTLED
            result = _throttled(decisions[index].retry_after)
        elif entry.errors:
            outcome = VerificationAttempt.Outcome.MALFORMED
            result = VerificationError(
                "invalid", _("入力内容を確認してください。"), field_errors=entry.errors
            )
        elif candidate is None:
            outcome = VerificationAttempt.Outcome.FAILURE
            result = VerificationError("not_found", not_found_message())
        else:
            outcome = VerificationAttempt.Outcome.SUCCESS
            result = Verification(
                attempt_id=0,
                guarantee=candidate.guarantee,
                certificate=candidate.versions[0],
                versions=candidate.versions,
            )
        rows.append(
            VerificationAttempt(
                outcome=outcome,
                channel=channel,
                contract_number=number,
                guarantee=candidate.guarantee if candidate is not None and outcome == "success" else None,
                certificate=candidate.versions[0] if candidate is not None and outcome == "success" else None,
                client_hash=client.hash,
                user_agent=client.user_agent,
                api_client_id=client.api_client_id,
            )
        )
        results.append(result)
    _attempts_record(rows)
    for row, result in zip(rows, results, strict=True):
        if isinstance(result, Verification):
            result.attempt_id = row.pk
    return results


def _attempts_record(rows: list[VerificationAttempt]) -> None:
    """One durable insert: a single row is one autocommitted INSERT (its own transaction, nothing
    else in it); several rows are one multi-row INSERT in one transaction."""
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        VerificationAttempt.objects.bulk_create(rows)


def verification_malformed(*, client: Client, channel: str, message: str) -> VerificationError:
    """A request the API could not even read as number + key (not JSON, no items, too many items):
    counted against the asker like any malformed input, and recorded. Returns the error to answer,
    ``throttled`` when a limit already holds."""
    try:
        decision = ratelimit.settle(client=client, items=[(ratelimit.MALFORMED, None)])[0]
    except LimiterUnavailable:
        decision = None
    if decision is None:
        outcome = VerificationAttempt.Outcome.UNAVAILABLE
        error = _unavailable()
    elif not decision.allowed:
        outcome = VerificationAttempt.Outcome.THROTTLED
        error = _throttled(decision.retry_after)
    else:
        outcome = VerificationAttempt.Outcome.MALFORMED
        error = VerificationError("invalid", message)
    _attempts_record(
        [
            VerificationAttempt(
                outcome=outcome,
                channel=channel,
                contract_number="",
                client_hash=client.hash,
                user_agent=client.user_agent,
                api_client_id=client.api_client_id,
            )
        ]
    )
    return error


def _unavailable() -> VerificationError:
    return VerificationError(
        "unavailable",
        _("現在、証書の確認を受け付けられません。しばらくしてから、もう一度お試しください。"),
        retry_after=60,
    )


def _throttled(retry_after: int) -> VerificationError:
    minutes = max(1, -(-retry_after // 60))
    return VerificationError(
        "throttled",
        _("確認の回数が上限に達しました。約%(minutes)d分後に、もう一度お試しください。")
        % {"minutes": minutes},
        retry_after=retry_after,
    )
