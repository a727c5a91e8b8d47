"""Template values every page needs."""

from __future__ import annotations

from django.http import HttpRequest

from portal.log_redaction import path_without_secrets


def language_next(request: HttpRequest) -> dict[str, str]:
    """Where the language switcher returns to: this page, without any key or token in its query
    (the switcher's form would otherwise echo it into the page and post it on)."""
    return {"language_next": path_without_secrets(request.path, request.GET)}
