"""``Authorization: Bearer gpk_…``: the API client behind a key, for DRF and the OpenAPI schema.

No header: the caller is anonymous (the single verification is open to anyone, under the address
limits). A header that names no live key (unknown, revoked, rotated away, client disabled) is refused
with 401 at once: there is no cache between a revocation and the next request.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from .models import ApiClient
from .selectors import api_client_for_key


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[None, ApiClient] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise exceptions.AuthenticationFailed(_("APIキーを Authorization: Bearer で送信してください。"))
        client = api_client_for_key(raw_key=value.strip())
        if client is None:
            raise exceptions.AuthenticationFailed(_("APIキーが無効です（失効・更新済みを含む）。"))
        return None, client

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apiclients.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "gpk_<10 lower-case letters or digits>_<40 URL-safe characters>",
            "description": "An API key staff issued to the orderer's system (admin → APIクライアント).",
        }
