"""One id per request, for log lines and the incident number on error pages.

The id is generated here (never taken from the client), exposed as ``request.request_id``, sent back
in the ``X-Request-ID`` header and attached to every log record by ``RequestIdFilter``.
"""

from __future__ import annotations

import contextvars
import logging
import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _current.get()


def new_request_id() -> str:
    # 10 upper-case hex characters: short enough to read out on the phone as an incident number.
    return secrets.token_hex(5).upper()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True
