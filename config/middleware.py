"""Portal-wide answers that no single view should have to remember.

- ``PrivateNoStoreMiddleware``: every response to a logged-in user and every document (a PDF, an
  upload, any attachment) is ``Cache-Control: private, no-store``, so no browser, proxy or shared
  computer keeps a copy of a certificate, a key or an application.
- ``NullCharacterMiddleware``: a NUL byte in the query string (``/?q=%00abc``) is answered with the
  400 page and a Japanese message before any view reads it. PostgreSQL cannot store or compare text
  with NUL, so every search box, filter and parameter would otherwise reach the database and fail.
  Form posts are covered by the forms themselves (Django's CharField refuses NUL with a message).
- ``ServiceUnavailableMiddleware``: a view that needs Redis (the cache or the broker) and cannot
  reach it answers 503 with a Japanese page and ``Retry-After`` instead of the 500 page.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

log = logging.getLogger("portal.unavailable")

#: Seconds a client is asked to wait when Redis is unreachable.
RETRY_AFTER_SECONDS = 60

Middleware = Callable[[HttpRequest], HttpResponse]


def _is_document(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "")
    return (
        response.has_header("Content-Disposition")
        or bool(getattr(response, "streaming", False) and getattr(response, "file_to_stream", None))
        or content_type.startswith(("application/pdf", "image/", "application/octet-stream"))
    )


def _logged_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateNoStoreMiddleware:
    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Asked before the view: DRF views replace request.user with their own (anonymous) user.
        logged_in = _logged_in(request)
        response = self.get_response(request)
        if logged_in or _logged_in(request) or _is_document(response):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _answer(request: HttpRequest, *, template: str, code: str, message: str, status: int) -> HttpResponse:
    """The page for a person, or the API's own ``{"code", "message"}`` body for a system."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message}, status=status)
    return render(request, template, {"message": message}, status=status)


def _has_null(request: HttpRequest) -> bool:
    # (A NUL in the path never matches a route: the converters make it a 404.)
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
    )


class NullCharacterMiddleware:
    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_null(request):
            message = _("入力に使用できない文字（NUL 文字）が含まれています。検索語を入力し直してください。")
            return _answer(request, template="400.html", code="invalid", message=message, status=400)
        return self.get_response(request)


def _is_unreachable_service(exception: Exception) -> bool:
    """A Redis or broker error. Their classes are looked up among the loaded modules: an exception of
    redis or kombu exists only once that library is loaded, and loading this module (every web
    process, ``manage.py check``) then imports neither (tests/test_startup_imports.py)."""
    classes: list[type[BaseException]] = []
    if (redis := sys.modules.get("redis")) is not None:
        classes.append(redis.RedisError)
    if (kombu_exceptions := sys.modules.get("kombu.exceptions")) is not None:
        classes.append(kombu_exceptions.OperationalError)
    return isinstance(exception, tuple(classes))


class ServiceUnavailableMiddleware:
    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_unreachable_service(exception):
            return None
        log.warning("Redis unreachable while answering %s: %s", request.path, exception)
        message = _(
            "ポータルの一部（処理の受付に使う仕組み）に接続できないため、この操作を完了できませんでした。"
            "入力した内容は保存されていません。しばらくしてからもう一度お試しください。"
        )
        response = _answer(request, template="503.html", code="unavailable", message=message, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
