"""Access to the contractors' pages: a logged-in user that belongs to a contractor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def contractor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users go to the login page; users without a contractor (staff) get a 403 page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request.user, "contractor_id", None) is None:
            return render(request, "accounts/contractor_only.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
