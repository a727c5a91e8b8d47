"""The shapes of ``POST /api/v1/verifications``: input, the certificate, and errors."""

from __future__ import annotations

from rest_framework import serializers

from guarantees.models import GuaranteeKind


class VerificationInputSerializer(serializers.Serializer):
    contract_number = serializers.CharField(
        max_length=64,
        allow_blank=True,
        trim_whitespace=False,
        help_text="保証契約番号: 10 digits. Full-width digits, spaces and hyphens are accepted.",
    )
    auth_key = serializers.CharField(
        max_length=64,
        allow_blank=True,
        trim_whitespace=False,
        help_text="認証キー: 12 characters. Lower case, full-width, spaces and hyphens are accepted.",
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
    code = serializers.ChoiceField(choices=["invalid", "not_found", "throttled", "unavailable"])
    message = serializers.CharField()
    # Declared fields are popped from the class by DRF, so this does not shadow Serializer.errors.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field errors (400 only).",
    )
