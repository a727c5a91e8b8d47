"""The API for orderers' systems: ``POST /api/v1/verifications`` (one certificate, open to anyone under
the address limits), ``POST /api/v1/verifications/batch`` (up to 100, API clients only) and
``GET /api/v1/changes`` (what changed for the guarantees a client verified)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apiclients.authentication import ApiKeyAuthentication
from apiclients.models import ApiClient
from apiclients.selectors import TOKYO, client_changes
from apiclients.services import changes_read_record
from verification import ratelimit, selectors
from verification.errors import VerificationError
from verification.models import VerificationAttempt
from verification.services import (
    Verification,
    verification_malformed,
    verifications_perform,
)

from .serializers import (
    BatchInputSerializer,
    BatchResultSerializer,
    ChangesSerializer,
    ErrorSerializer,
    VerificationInputSerializer,
    VerifiedCertificateSerializer,
)

_STATUS = {
    "unauthorized": status.HTTP_401_UNAUTHORIZED,
    "forbidden": status.HTTP_403_FORBIDDEN,
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


_RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    response=[429, 503],
    description="Seconds until a new attempt can be made.",
)
_ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer, description="Malformed input, with field errors (counted and recorded)."
    ),
    401: OpenApiResponse(ErrorSerializer, description="The Authorization header names no live API key."),
    429: OpenApiResponse(ErrorSerializer, description="A limit holds; see Retry-After."),
    503: OpenApiResponse(ErrorSerializer, description="The limiter is unavailable; see Retry-After."),
}


def _text(value: object) -> str:
    """A JSON value as the text the person or system meant: strings and integers; anything else is
    treated as empty (then reported as a field error)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value)


def _pair(item: object) -> tuple[str, str]:
    if not isinstance(item, dict):
        return "", ""
    return _text(item.get("contract_number", "")), _text(item.get("auth_key", ""))


def _is_item(item: object) -> bool:
    return isinstance(item, dict) and all(
        isinstance(item.get(name, ""), str) for name in ("contract_number", "auth_key")
    )


def _error_response(exc: VerificationError) -> Response:
    extra: dict[str, Any] = {"errors": exc.field_errors} if exc.field_errors else {}
    response = _error(exc.code, exc.message, **extra)
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


def _item_result(result: Verification | VerificationError) -> dict[str, Any]:
    if isinstance(result, Verification):
        return {"status": 200, "body": certificate_data(result)}
    body: dict[str, Any] = {"code": result.code, "message": result.message}
    if result.field_errors:
        body["errors"] = result.field_errors
    item: dict[str, Any] = {"status": _STATUS[result.code], "body": body}
    if result.retry_after:
        item["retry_after"] = result.retry_after
    return item


class _ClientMay(permissions.BasePermission):
    """The API client may do what the view ``needs`` (an ApiClient flag); anonymous callers only
    where the view allows them (then DRF answers 401 for the others)."""

    message = gettext_lazy("このAPIクライアントには、この操作が許可されていません。")

    def has_permission(self, request: Request, view: Any) -> bool:
        client = request.auth
        if client is None:
            return bool(view.anonymous)
        return bool(getattr(client, view.needs))


class _ApiView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [_ClientMay]
    parser_classes = [JSONParser]
    needs = "can_verify"
    anonymous = False

    def asker(self, request: Request) -> ratelimit.Client:
        return ratelimit.client_of(request, api_client=request.auth)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
            response = _error("unauthorized", str(exc.detail))
            response["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
        if isinstance(exc, exceptions.PermissionDenied):
            return _error("forbidden", str(exc.detail))
        # Unparseable bodies and wrong media types are bad input like any other: counted, recorded.
        if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
            return _error_response(
                verification_malformed(
                    client=self.asker(self.request),
                    channel=self.channel,
                    message=_("JSON形式で送信してください。"),
                )
            )
        return super().handle_exception(exc)

    channel = VerificationAttempt.Channel.API


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("auth_key"), name="dispatch")
class VerificationCreateApi(_ApiView):
    # AllowAny is listed so that the schema says the key is optional; _ClientMay still applies.
    permission_classes = [permissions.AllowAny, _ClientMay]
    anonymous = True

    @extend_schema(
        operation_id="verifications_create",
        summary="Verify a certificate (保証契約番号 + 認証キー)",
        description=(
            "Returns the newest version of the certificate with its status. Any failed match is 404, "
            "whether the number exists or not. Anonymous callers share the verify page's limits: "
            "failures per contract number, failures per address, and a large cap of successes per "
            "address. With an API key, the client's own quota and failure limit replace the address's "
            "(the per-number limit stays). While a limit holds, even the correct key gets 429 with "
            "Retry-After. 503 when the limiter is unavailable (the lookup fails closed)."
        ),
        request=VerificationInputSerializer,
        parameters=[_RETRY_AFTER],
        responses={
            200: VerifiedCertificateSerializer,
            404: OpenApiResponse(ErrorSerializer, description="番号または認証キーが正しくありません"),
            403: OpenApiResponse(ErrorSerializer, description="The API client may not verify."),
            **_ERRORS,
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
        number, key = _pair(request.data)
        result = verifications_perform(
            pairs=[(number, key)], client=self.asker(request), channel=self.channel
        )[0]
        if isinstance(result, VerificationError):
            return _error_response(result)
        return Response(certificate_data(result))


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("items"), name="dispatch")
class VerificationBatchApi(_ApiView):
    needs = "can_batch"
    channel = VerificationAttempt.Channel.BATCH

    @extend_schema(
        operation_id="verifications_batch",
        summary="Verify up to 100 certificates in one call (API clients)",
        description=(
            "Each item is verified exactly as a separate `POST /api/v1/verifications` would be, in the "
            "order sent: its result carries the status and body the single call would have answered. "
            "The per-number failure limit applies to each item (two wrong keys for one number in one "
            "batch count twice); every item counts against the client's quota and is recorded. "
            "The whole call is 429 or 503 only when every item is."
        ),
        request=BatchInputSerializer,
        parameters=[_RETRY_AFTER],
        responses={
            200: BatchResultSerializer,
            403: OpenApiResponse(ErrorSerializer, description="The API client may not verify in batches."),
            **_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        data = request.data
        items = data.get("items") if isinstance(data, dict) else None
        limit = settings.VERIFICATION_BATCH_MAX_ITEMS
        if not isinstance(items, list) or not 1 <= len(items) <= limit or not all(map(_is_item, items)):
            message = _(
                "items に1件から%(limit)d件まで、contract_number と auth_key の文字列で指定してください。"
            ) % {"limit": limit}
            return _error_response(
                verification_malformed(client=self.asker(request), channel=self.channel, message=message)
            )
        results = verifications_perform(
            pairs=[_pair(item) for item in items], client=self.asker(request), channel=self.channel
        )
        codes = {result.code if isinstance(result, VerificationError) else "" for result in results}
        if codes in ({"throttled"}, {"unavailable"}):
            return _error_response(max(results, key=lambda r: r.retry_after or 0))  # type: ignore[arg-type,union-attr]
        return Response({"results": [_item_result(result) for result in results]})


def _since(value: str) -> dt.datetime | None:
    try:
        parsed = parse_datetime(value.strip().upper().replace(" ", "T"))
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=TOKYO)
    try:
        return parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return dt.datetime.min.replace(tzinfo=dt.UTC)


@method_decorator(never_cache, name="dispatch")
class ChangesApi(_ApiView):
    needs = "can_read_changes"

    @extend_schema(
        operation_id="changes_list",
        summary="What changed since a time, for the guarantees this client has verified",
        description=(
            "New (変更) versions, 解約 and 取消 as they were recorded, and 保証期間満了 from the dates "
            "(at the start of the day after the period's last day, Asia/Tokyo), for every guarantee "
            "this API client has verified successfully, never another client's. Oldest first, at most "
            "500; ask again with `since` = `until`. The same change keeps its `id`."
        ),
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                location=OpenApiParameter.QUERY,
                required=True,
                description="ISO 8601; without an offset it is read as Asia/Tokyo.",
            )
        ],
        responses={
            200: ChangesSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="since is missing or not a time, or another parameter is given."
            ),
            401: _ERRORS[401],
            403: OpenApiResponse(ErrorSerializer, description="The API client may not read changes."),
        },
    )
    def get(self, request: Request) -> Response:
        # Only ``since``: a misspelt parameter is refused rather than silently ignored (the schema
        # declares no other).
        unknown = sorted(name for name in request.query_params if name != "since")
        if unknown:
            return _error(
                "invalid",
                _("入力内容を確認してください。"),
                errors={
                    name[:50] or "?": [_("このパラメータは使えません（使えるのは since だけです）。")]
                    for name in unknown
                },
            )
        since = _since(request.query_params.get("since", ""))
        if since is None:
            return _error(
                "invalid",
                _("入力内容を確認してください。"),
                errors={"since": [_("since に日時（ISO 8601）を指定してください。")]},
            )
        client: ApiClient = request.auth  # type: ignore[assignment]
        feed = client_changes(client=client, since=since)
        changes_read_record(client=client, since=since, changes=len(feed.changes))
        return Response(
            {
                # In UTC: Asia/Tokyo's historical offsets (LMT +09:18:59) are not RFC 3339 offsets.
                "since": feed.since.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                "until": feed.until.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                "more": feed.more,
                "changes": feed.changes,
            }
        )
