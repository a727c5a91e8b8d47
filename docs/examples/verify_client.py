#!/usr/bin/env python3
"""A client for the 電子保証ポータル API, in Python with the standard library only.

    export PORTAL_API_KEY=gpk_...            # issued by the guarantor's staff (admin → APIクライアント)
    python verify_client.py --base-url https://portal.example.jp verify 1070000473 K5VL4+5QG_KJ
    python verify_client.py batch pairs.csv  # lines of "number,key"; up to 100 per call
    python verify_client.py changes 2026-04-01T00:00:00+09:00

Each command prints the API's JSON answer. A 429 or 503 answer is waited out (Retry-After) and the
call is tried again, a few times. ``signature_is_valid`` shows how a webhook receiver checks the
portal's signature.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

RETRIES = 3
BATCH_SIZE = 100
#: A webhook older than this (seconds) is refused, so a recorded one cannot be replayed later.
SIGNATURE_TOLERANCE = 300


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status} {body.get('code')}: {body.get('message')}")
        self.status = status
        self.body = body


class PortalClient:
    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 30) -> None:
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError("the base URL must be http:// or https://")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        for attempt in range(RETRIES + 1):
            url = self.base_url + path  # http(s) only, checked above
            request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    return json.load(response)
            except urllib.error.HTTPError as exc:
                answer = json.loads(exc.read() or b"{}")
                retry_after = exc.headers.get("Retry-After")
                if exc.code in (429, 503) and retry_after and attempt < RETRIES:
                    time.sleep(min(int(retry_after), 60))
                    continue
                raise ApiError(exc.code, answer) from None
        raise AssertionError("unreachable")

    def verify(self, contract_number: str, auth_key: str) -> dict[str, Any]:
        """The certificate, or ApiError (404: 番号または認証キーが正しくありません)."""
        return self._call(
            "POST", "/api/v1/verifications", {"contract_number": contract_number, "auth_key": auth_key}
        )

    def verify_many(self, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """Per pair, {"status": ..., "body": ...} exactly as the single call would answer."""
        results: list[dict[str, Any]] = []
        for start in range(0, len(pairs), BATCH_SIZE):
            items = [{"contract_number": n, "auth_key": k} for n, k in pairs[start : start + BATCH_SIZE]]
            results += self._call("POST", "/api/v1/verifications/batch", {"items": items})["results"]
        return results

    def changes(self, since: str) -> list[dict[str, Any]]:
        """Every change since ``since`` for the guarantees this system verified, following ``more``."""
        found: list[dict[str, Any]] = []
        while True:
            page = self._call("GET", "/api/v1/changes?" + urllib.parse.urlencode({"since": since}))
            found += page["changes"]
            if not page["more"]:
                return found
            since = page["until"]


def signature_is_valid(
    *, secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None
) -> bool:
    """For a webhook receiver: X-Portal-Signature is "v1=" + HMAC-SHA256(secret, timestamp + "." + body)."""
    if abs((now or time.time()) - int(timestamp)) > SIGNATURE_TOLERANCE:
        return False
    expected = "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--api-key", default=os.environ.get("PORTAL_API_KEY"))
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="verify one certificate")
    verify.add_argument("contract_number")
    verify.add_argument("auth_key")
    batch = commands.add_parser("batch", help="verify the number,key lines of a CSV file")
    batch.add_argument("csv_file")
    changes = commands.add_parser("changes", help="what changed since a time (ISO 8601)")
    changes.add_argument("since")
    args = parser.parse_args(argv)

    client = PortalClient(args.base_url, args.api_key)
    try:
        if args.command == "verify":
            answer: Any = client.verify(args.contract_number, args.auth_key)
        elif args.command == "batch":
            with open(args.csv_file, newline="", encoding="utf-8") as file:
                pairs = [(row[0], row[1]) for row in csv.reader(file) if len(row) >= 2]
            answer = client.verify_many(pairs)
        else:
            answer = client.changes(args.since)
    except ApiError as exc:
        print(json.dumps({"status": exc.status, **exc.body}, ensure_ascii=False, indent=2))
        return 1
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
