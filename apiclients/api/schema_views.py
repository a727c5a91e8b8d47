"""The API's OpenAPI description (``/api/schema/``) and its Swagger UI page (``/api/docs/``).

Every process loads the URLs (``manage.py check``, each web and Celery worker), but only these two
pages need drf-spectacular's views, its schema generator and renderers: the views are built on the
first request, so the rest of the portal starts without them (tests/test_startup_imports.py). The
generated schema is the same (``SCHEMA_PATH_PREFIX`` in the settings keeps the operations' tags).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

View = Callable[..., HttpResponseBase]


def _built_on_first_request(build: Callable[[], View]) -> View:
    built = functools.cache(build)

    # As DRF's own views: the API authenticates by its own means, never by a CSRF cookie.
    @csrf_exempt
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return built()(request, *args, **kwargs)

    return view


@_built_on_first_request
def schema() -> View:
    from drf_spectacular.views import SpectacularAPIView

    return SpectacularAPIView.as_view()


@_built_on_first_request
def docs() -> View:
    from drf_spectacular.views import SpectacularSwaggerSplitView

    # Swagger UI from local static files (drf-spectacular-sidecar), its init script a separate file
    # so a strict CSP needs no inline script.
    return SpectacularSwaggerSplitView.as_view(
        url_name="api:schema", template_name="apiclients/swagger_ui.html"
    )
