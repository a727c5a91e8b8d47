from __future__ import annotations

from django.test import Client


def verify(http: Client, number: str, key: str, **extra):
    return http.post(
        "/api/v1/verifications",
        {"contract_number": number, "auth_key": key},
        content_type="application/json",
        **extra,
    )


def batch(http: Client, pairs: list[tuple[str, str]], **extra):
    items = [{"contract_number": number, "auth_key": key} for number, key in pairs]
    return http.post(
        "/api/v1/verifications/batch", {"items": items}, content_type="application/json", **extra
    )


def changes(http: Client, since: str, **extra):
    return http.get("/api/v1/changes", {"since": since}, **extra)
