"""The contractor's 変更・解約 screens: the guarantees in force it may change or cancel, and the start
of a change or 解約 application (its steps are the application's, applications/views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from guarantees.errors import GuaranteeError
from guarantees.models import Guarantee

from . import selectors, steps, views
from .services import drafts


@login_required
@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    user = views.contractor_user(request)
    guarantees = selectors.guarantees_changeable_by(user=user, today=timezone.localdate())
    return render(request, "applications/change_list.html", {"guarantees": guarantees})


@login_required
@require_POST
def change_new(request: HttpRequest, number: str) -> HttpResponse:
    user = views.contractor_user(request)
    guarantee = get_object_or_404(Guarantee.objects.filter(contractor=user.contractor), number=number)
    try:
        application = drafts.application_create_change(
            user=user, guarantee=guarantee, purpose=request.POST.get("purpose", "")
        )
    except GuaranteeError as exc:
        messages.error(request, exc.message)
        return redirect("applications:change_list")
    return redirect(views.step_url(application, steps.STEP_CHANGE))
