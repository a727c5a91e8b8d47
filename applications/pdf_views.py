"""Download of the 保証料計算書 as a signed PDF, for the owning contractor only (404 for anyone else,
anonymous users included: the same answer as for something that does not exist). Staff download it
in admin (applications/admin). Rendering is in applications/pdf.py."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from accounts.models import User
from certificates.pdf_views import pdf_response

from . import pdf
from .models import Application


def _contractor_id(user: User | AnonymousUser) -> int:
    if not user.is_authenticated or not isinstance(user, User) or user.contractor_id is None:
        raise Http404
    return user.contractor_id


def fee_statement_response(application: Application) -> HttpResponse:
    if not pdf.fee_statement_available(application):
        raise Http404
    return pdf_response(
        pdf.fee_statement_pdf(application=application), filename=f"fee-statement-{application.pk}.pdf"
    )


APPLICATION_RELATED = ("contractor", "orderer", "branch__company", "guarantee", "target_guarantee__orderer")


@require_GET
def fee_statement_download(request: HttpRequest, pk: int) -> HttpResponse:
    """applications:fee_statement_pdf — 保証料計算書 of one of the contractor's applications."""
    contractor_id = _contractor_id(request.user)
    application = get_object_or_404(
        Application.objects.select_related(*APPLICATION_RELATED), pk=pk, contractor_id=contractor_id
    )
    return fee_statement_response(application)
