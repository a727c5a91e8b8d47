"""``POST /api/v1/verifications``: the verify page for orderers' e-contract systems."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from verification import ratelimit, selectors
from verification.errors import VerificationError
from verification.models import VerificationAttempt
from verification.services import Verification, verification_perform

from .serializers import ErrorSerializer, VerificationInputSerializer, VerifiedCertificateSerializer

_STATUS = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "not_found": status.HTTP_404_NOT_FOUND,
    "throttled": status.HTTP_429_TOO_MANY_REQUESTS,
    "unavailable": status.HTTP_503_SERVICE_UNAVAILABLE,
}


def _error(code: str, message: str, **extra: Any) -> Response:
    return Response({"code": code, "message": message, **extra}, status=_STATUS[code])


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def certificate_data(verification: Verification) -> dict[str, Any]:
    """The 200 body, already JSON-ready: it is documented by ``VerifiedCertificateSerializer`` and
    checked against it by the schemathesis test, without paying for a serializer per request."""
    guarantee, newest = verification.guarantee, verification.certificate
    banner = selectors.certificate_status(guarantee=guarantee, versions=verification.versions)
    return {
        "contract_number": newest.contract_number,
        "kind": newest.kind,
        "status": banner.code,
        "status_label": banner.label,
        "status_date": _day(banner.date),
        "status_reason": banner.reason,
        "version": newest.version,
        "versions": [
            {
                "version": c.version,
                "is_change": c.is_change,
                "issued_on": _day(c.issued_on),
                "certified_on": _day(c.certified_on),
                "change_reason": c.change_reason,
            }
            for c in verification.versions
        ],
        "contractor": newest.contractor_name,
        "orderer": newest.orderer_title,
        "work_name": newest.work_name,
        "contract_amount_total": newest.contract_amount_total,
        "contract_amount_target": newest.contract_amount_target,
        "guarantee_amount": newest.guarantee_amount,
        "guarantee_period_end": _day(max(guarantee.guarantee_period_end, newest.guarantee_period_end)),
        "printed_guarantee_period_end": _day(newest.guarantee_period_end),
        "construction_end_date": _day(guarantee.construction_end_date),
        "bank": newest.bank_name or None,
        "guarantor": newest.company_name,
        "branch": newest.branch_name,
        "issued_on": _day(newest.issued_on),
        "certified_on": _day(newest.certified_on),
    }


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("auth_key"), name="dispatch")
class VerificationCreateApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="verifications_create",
        summary="Verify a certificate (保証契約番号 + 認証キー)",
        description=(
            "Returns the newest version of the certificate with its status. Any failed match is 404, "
            "whether the number exists or not. Limits shared with the verify page: failures per contract "
            "number and attempts per client; while one holds, even the correct key gets 429 with "
            "Retry-After. 503 when the limiter is unavailable (the lookup fails closed)."
        ),
        request=VerificationInputSerializer,
        parameters=[
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                location=OpenApiParameter.HEADER,
                response=[429, 503],
                description="Seconds until a new attempt can be made.",
            )
        ],
        responses={
            200: VerifiedCertificateSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Malformed input, with field errors."),
            404: OpenApiResponse(ErrorSerializer, description="番号または認証キーが正しくありません"),
            429: OpenApiResponse(ErrorSerializer, description="A limit holds; see Retry-After."),
            503: OpenApiResponse(ErrorSerializer, description="The limiter is unavailable; see Retry-After."),
        },
        examples=[
            OpenApiExample(
                "The brochure's advance guarantee",
                value={"contract_number": "1070000473", "auth_key": "K5VL4+5QG_KJ"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = VerificationInputSerializer(data=request.data)
        if not serializer.is_valid():
            return _error("invalid", _("入力内容を確認してください。"), errors=_flat(serializer.errors))
        try:
            verification = verification_perform(
                contract_number=serializer.validated_data["contract_number"],
                auth_key=serializer.validated_data["auth_key"],
                client=ratelimit.client_of(request),
                channel=VerificationAttempt.Channel.API,
            )
        except VerificationError as exc:
            extra: dict[str, Any] = {"errors": exc.field_errors} if exc.field_errors else {}
            response = _error(exc.code, exc.message, **extra)
            if exc.retry_after:
                response["Retry-After"] = str(exc.retry_after)
            return response
        return Response(certificate_data(verification))

    def handle_exception(self, exc: Exception) -> Response:
        # Unparseable bodies and wrong media types get the same error shape as everything else.
        if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
            return _error("invalid", _("JSON形式で送信してください。"))
        return super().handle_exception(exc)


def _flat(errors: Any) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in dict(errors).items()}
