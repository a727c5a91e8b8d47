"""Friendly error pages that show an incident number and nothing of the internals."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from portal.request_id import current_request_id


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    incident = getattr(request, "request_id", None) or current_request_id()
    try:
        template = loader.get_template("500.html")
        body = template.render({"incident": incident})
    except Exception:
        body = f"<h1>システムエラーが発生しました</h1><p>お問い合わせ番号: {incident}</p>"
    return HttpResponseServerError(body)
