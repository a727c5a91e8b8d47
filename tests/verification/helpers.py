"""Helpers and constants shared by the verification tests."""

from __future__ import annotations

import re

from django.test import Client

KEY = "K5VL4+5QG_KJ"
OTHER_KEY = "R7MX3_P9TD+W"
UNKNOWN_NUMBER = "1079999999"
#: A loopback port where nothing listens: "Redis went away".
CLOSED_PORT = 8499


def other_client(n: int) -> Client:
    return Client(REMOTE_ADDR=f"198.51.100.{n}")


def api_verify(client: Client, number: str, key: str, **extra):
    return client.post(
        "/api/v1/verifications",
        {"contract_number": number, "auth_key": key},
        content_type="application/json",
        **extra,
    )


def page_verify(client: Client, number: str, key: str, **extra):
    return client.post("/verify/", {"contract_number": number, "auth_key": key}, **extra)


def without_csrf(body: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body.decode())
