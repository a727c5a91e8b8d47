"""●認証キー表示画面: the contractor displays a guarantee's 認証キー to pass it to the orderer.

GET shows the screen with a 「表示」 button and no key; the key is shown in the answer to the POST
of that button (or of the list's 「表示」 button), and each display is recorded by
``authkey_reveal``. So a prefetch, a crawler or a reload never records a display nobody saw.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import contractor_required
from guarantees.errors import GuaranteeError
from guarantees.models import Guarantee
from guarantees.status import guarantee_status

from .services import authkey_reveal


def _own_electronic_guarantee(request: HttpRequest, number: str) -> Guarantee:
    """The user's contractor's electronic guarantee, else 404 (paper, another's, or unknown alike)."""
    guarantee = (
        Guarantee.objects.filter(
            contractor_id=getattr(request.user, "contractor_id", None) or 0,
            number=number,
            medium=Guarantee.Medium.ELECTRONIC,
            auth_keys__revoked_at__isnull=True,
        )
        .select_related("orderer", "branch__company")
        .first()
    )
    if guarantee is None:
        raise Http404
    return guarantee


@contractor_required
@never_cache
@require_http_methods(["GET", "POST"])
def authkey_display(request: HttpRequest, number: str) -> HttpResponse:
    guarantee = _own_electronic_guarantee(request, number)
    key = None
    if request.method == "POST":
        try:
            key = authkey_reveal(guarantee=guarantee, user=request.user)  # type: ignore[arg-type]
        except GuaranteeError as exc:  # the key was revoked between the lookup and the reveal
            raise Http404 from exc
    status = guarantee_status(guarantee)
    return render(
        request,
        "authkeys/authkey_display.html",
        {
            "guarantee": guarantee,
            "key": key,
            "status_label": status.label,
            "in_force": status.in_force,
        },
    )
