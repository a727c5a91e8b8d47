"""Downloads of an advance's paperwork as signed PDFs, for the owning contractor only (404 for anyone
else, anonymous users included: the same answer as for something that does not exist). Staff
download them in admin (advances/admin.py). Rendering is in advances/pdf.py."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from accounts.models import User
from authkeys.keys import normalize_contract_number
from certificates.pdf_views import pdf_response

from . import pdf
from .models import AdvanceUsePlan, WithdrawalRequest


def _contractor_id(user: User | AnonymousUser) -> int:
    if not user.is_authenticated or not isinstance(user, User) or user.contractor_id is None:
        raise Http404
    return user.contractor_id


def use_plan_response(plan: AdvanceUsePlan) -> HttpResponse:
    filename = f"use-plan-{plan.guarantee.number}-r{plan.revision}.pdf"
    return pdf_response(pdf.use_plan_pdf(plan=plan), filename=filename)


def withdrawal_response(request: WithdrawalRequest) -> HttpResponse:
    filename = f"withdrawal-{request.guarantee.number}-{request.sequence}.pdf"
    return pdf_response(pdf.withdrawal_request_pdf(request=request), filename=filename)


PLAN_RELATED = ("guarantee__orderer", "guarantee__contractor")
WITHDRAWAL_RELATED = ("guarantee__orderer", "guarantee__contractor", "guarantee__bank")


@require_GET
def use_plan_download(request: HttpRequest, number: str) -> HttpResponse:
    """advances:use_plan_pdf — 前払金使途内訳明細書 of one of the contractor's advances."""
    contractor_id = _contractor_id(request.user)
    plan = get_object_or_404(
        AdvanceUsePlan.objects.select_related(*PLAN_RELATED),
        guarantee__number=normalize_contract_number(number),
        guarantee__contractor_id=contractor_id,
    )
    return use_plan_response(plan)


@require_GET
def withdrawal_download(request: HttpRequest, number: str, sequence: int) -> HttpResponse:
    """advances:withdrawal_pdf — one 前払金払出依頼書 of one of the contractor's advances."""
    contractor_id = _contractor_id(request.user)
    withdrawal = get_object_or_404(
        WithdrawalRequest.objects.select_related(*WITHDRAWAL_RELATED),
        guarantee__number=normalize_contract_number(number),
        guarantee__contractor_id=contractor_id,
        sequence=sequence,
    )
    return withdrawal_response(withdrawal)
