"""Views whose module loads on their first request.

Every process loads every URL module: ``manage.py check`` and each command, every web and Celery
worker. Most of them never answer the API, yet its views bring Django REST framework and
drf-spectacular (≈50 ms of every start-up, docs/benchmarks.md). ``view_on_first_request`` stands in
the URL pattern for a class-based view named by its dotted path: the class is imported and
``as_view()`` built the first time the view is called or looked at (an attribute read by a
middleware, by Django's resolver or by the schema generator), then every call goes straight to it.
Web workers build them all before their first request (``load_all`` in gunicorn's
``post_worker_init``), so no orderer's request pays the import.
"""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string


class _ViewOnFirstRequest:
    def __init__(self, dotted_path: str, initkwargs: dict[str, Any]) -> None:
        self._dotted_path = dotted_path
        self._initkwargs = initkwargs
        # The view's own dotted path wherever Django names a view (``URLPattern.lookup_str``, the
        # resolver's ``_func_path``), read without importing it.
        self.__module__, _dot, self.__name__ = dotted_path.rpartition(".")
        self.__qualname__ = self.__name__
        self.__doc__ = f"{dotted_path}.as_view(), built on its first request."
        _all.append(self)

    @functools.cached_property
    def _view(self) -> Any:
        return import_string(self._dotted_path).as_view(**self._initkwargs)

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase = self._view(request, *args, **kwargs)
        return response

    def __getattr__(self, name: str) -> Any:
        # What the instance itself lacks is the built view's: ``csrf_exempt`` for CsrfViewMiddleware,
        # ``cls`` and ``initkwargs`` for the OpenAPI generator. Not ``view_class``: the resolver asks
        # for it when it indexes every URL (the first ``reverse()`` of any page), and the names above
        # answer it without the import.
        if name.startswith("__") or name in {"_view", "_dotted_path", "_initkwargs", "view_class"}:
            raise AttributeError(name)
        return getattr(self._view, name)

    def __repr__(self) -> str:
        return f"<view {self._dotted_path} on first request>"


_all: list[_ViewOnFirstRequest] = []


def load_all() -> None:
    """Build every such view of the URLs loaded so far (a web worker, before it takes requests)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loads every URL module, hence every such view
    for view in _all:
        view._view  # noqa: B018 - the cached property imports and builds it


def view_on_first_request(dotted_path: str, **initkwargs: Any) -> Any:
    """The view ``import_string(dotted_path).as_view(**initkwargs)``, imported when first used."""
    return _ViewOnFirstRequest(dotted_path, initkwargs)
