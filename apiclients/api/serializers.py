"""The shapes of ``POST /api/v1/verifications``: input, the certificate, and errors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guarantees.models import GuaranteeKind

# Characters people type between groups, removed before judging (authkeys.keys._SEPARATORS).
_SEP = r"[\s\-‐‑‒–—―−ーｰ|｜]*"
#: A 保証契約番号 as accepted: 10 digits, ASCII or full-width, with separators anywhere.
NUMBER_PATTERN = rf"^{_SEP}(?:[0-9０-９]{_SEP}){{10}}$"
#: An 認証キー as accepted: 12 symbols of A–Z 2–9 + _ without 0 O 1 I, in either case, ASCII or
#: full-width, with separators anywhere.
KEY_PATTERN = rf"^{_SEP}(?:[A-HJ-NP-Za-hj-np-z2-9+_Ａ-ＨＪ-ＮＰ-Ｚａ-ｈｊ-ｎｐ-ｚ２-９＋＿]{_SEP}){{12}}$"


@extend_schema_field(
    {
        "type": "string",
        "minLength": 10,
        "maxLength": 64,
        "pattern": NUMBER_PATTERN,
        "description": (
            "保証契約番号: 10 digits, e.g. 1070000473. Normalised before it is judged: NFKC (full-width "
            "digits become ASCII), then spaces, hyphens, dashes, ー and | are removed. At most 64 "
            "characters as sent. Anything else is answered 400 (`invalid`, with field errors) and "
            "counted as a failure of the caller."
        ),
        "example": "1070000473",
    }
)
class ContractNumberField(serializers.CharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "minLength": 12,
        "maxLength": 64,
        "pattern": KEY_PATTERN,
        "description": (
            "認証キー: 12 characters from A–Z, 2–9, + and _ without the look-alikes 0, O, 1 and I. "
            "Normalised before it is judged: NFKC (full-width becomes ASCII), upper case, then spaces, "
            "hyphens, dashes, ー and | are removed. At most 64 characters as sent."
        ),
        "example": "K5VL4+5QG_KJ",
    }
)
class AuthKeyField(serializers.CharField):
    pass


class VerificationInputSerializer(serializers.Serializer):
    """Documents the body; the view judges the values itself so that every bad input is counted
    against the caller and recorded (``verification.services``)."""

    contract_number = ContractNumberField()
    auth_key = AuthKeyField()


class BatchItemSerializer(serializers.Serializer):
    """One pair of a batch. Any strings are taken: each item is judged exactly as the single call's
    body (formats above) and a malformed one gets its own 400 result, not a refusal of the batch."""

    contract_number = serializers.CharField(
        required=False, allow_blank=True, help_text="As `contract_number` of a single verification."
    )
    auth_key = serializers.CharField(
        required=False, allow_blank=True, help_text="As `auth_key` of a single verification."
    )


class BatchInputSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=BatchItemSerializer(),
        min_length=1,
        max_length=100,
        help_text="1 to 100 pairs, verified in this order exactly as separate single calls would be.",
    )


class CertificateVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    is_change = serializers.BooleanField(help_text="True for a (変更) version.")
    issued_on = serializers.DateField()
    certified_on = serializers.DateField()
    change_reason = serializers.CharField(allow_blank=True)


class VerifiedCertificateSerializer(serializers.Serializer):
    contract_number = serializers.CharField()
    kind = serializers.ChoiceField(choices=GuaranteeKind.values)
    status = serializers.ChoiceField(
        choices=["active", "changed", "cancelled", "revoked", "expired"],
        help_text="The banner of the verify page: 有効 / 変更あり / 解約 / 取消 / 保証期間満了.",
    )
    status_label = serializers.CharField()
    status_date = serializers.DateField(allow_null=True)
    status_reason = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(help_text="The newest version, whose content this is.")
    versions = CertificateVersionSerializer(many=True, help_text="Every version, newest first.")
    contractor = serializers.CharField()
    orderer = serializers.CharField()
    work_name = serializers.CharField()
    contract_amount_total = serializers.IntegerField(help_text="Yen.")
    contract_amount_target = serializers.IntegerField(help_text="Yen.")
    guarantee_amount = serializers.IntegerField(help_text="Yen.")
    guarantee_period_end = serializers.DateField(
        help_text="In force now: later than the printed date when it followed a longer construction period."
    )
    printed_guarantee_period_end = serializers.DateField(help_text="As printed on the certificate.")
    construction_end_date = serializers.DateField()
    bank = serializers.CharField(allow_null=True, help_text="保証金納付機関; null for a contract guarantee.")
    guarantor = serializers.CharField()
    branch = serializers.CharField()
    issued_on = serializers.DateField()
    certified_on = serializers.DateField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["invalid", "not_found", "throttled", "unavailable", "unauthorized", "forbidden"]
    )
    message = serializers.CharField()
    # Declared fields are popped from the class by DRF, so this does not shadow Serializer.errors.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field errors (400 only).",
    )


class BatchItemResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[200, 400, 404, 429, 503], help_text="What the single call would have answered."
    )
    body = serializers.JSONField(
        help_text="The single call's body: the certificate (200) or the error (VerifiedCertificate / Error)."
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="429 and 503: the single call's Retry-After, in seconds."
    )


class BatchResultSerializer(serializers.Serializer):
    results = BatchItemResultSerializer(many=True, help_text="One per item, in the order sent.")


class ChangeSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Stable: the same change always has the same id.")
    type = serializers.ChoiceField(choices=["new_version", "cancelled", "revoked", "expired"])
    contract_number = serializers.CharField()
    occurred_at = serializers.DateTimeField(
        help_text="expired: the start of the day after the guarantee period's last day (Asia/Tokyo)."
    )
    version = serializers.IntegerField(allow_null=True, help_text="new_version: the new version.")
    status = serializers.ChoiceField(choices=["active", "changed", "cancelled", "revoked", "expired"])
    status_label = serializers.CharField()
    status_date = serializers.DateField(allow_null=True)


class ChangesSerializer(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField(help_text="Ask again from here.")
    more = serializers.BooleanField(help_text="True when more changes wait after ``until``.")
    changes = ChangeSerializer(many=True)
