"""Contractors' screens: 保証工事一覧 (the home page), the certificate screen, its print page, the manual
and the page on checking the PDFs' signature."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts.decorators import contractor_required
from guarantees.formatting import japan_today
from guarantees.models import Contractor, Guarantee
from guarantees.status import guarantee_status

from . import listing, selectors
from .models import Certificate

# Reversed once per page to build the row links (each row appends its own number).
_PLACEHOLDER = "0000000000"


def _current_user_contractor(request: HttpRequest) -> Contractor:
    contractor = getattr(request.user, "contractor", None)
    if not isinstance(contractor, Contractor):  # contractor_required has let only contractors in
        raise Http404
    return contractor


@contractor_required
def guarantee_list(request: HttpRequest) -> HttpResponse:
    """保証工事一覧: search by field, filter by status, newest first, paged."""
    field = request.GET.get("field", "all")
    if field not in dict(selectors.SEARCH_FIELDS):
        field = "all"
    status = request.GET.get("status", "")
    if status not in dict(selectors.STATUS_FILTERS):
        status = ""
    query = request.GET.get("q", "")[: selectors.MAX_QUERY_LENGTH]
    today = japan_today()
    guarantees = selectors.contractor_guarantees(
        contractor=_current_user_contractor(request),
        field=field,
        query=query,
        status=status,
        today=today,
    )
    page = Paginator(guarantees, settings.PORTAL_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    # Every query runs here, not inside the template; the rows are plain values (certificates.listing).
    rows = listing.list_rows(
        list(page.object_list),
        today=today,
        # One reverse() per page instead of two per row; each row appends its own number.
        detail_prefix=reverse("certificates:detail", args=[_PLACEHOLDER])[: -len(_PLACEHOLDER + "/")],
        key_prefix=reverse("authkeys:display", args=[_PLACEHOLDER])[: -len(_PLACEHOLDER + "/")],
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "certificates/guarantee_list.html",
        {
            "page": page,
            "rows": rows,
            "field": field,
            "query": query,
            "status": status,
            "search_fields": selectors.SEARCH_FIELDS,
            "status_filters": selectors.STATUS_FILTERS,
            "page_query": params.urlencode(),
        },
    )


def _versions(request: HttpRequest, number: str) -> tuple[Guarantee, list[Certificate]]:
    guarantee = selectors.contractor_guarantee(contractor=_current_user_contractor(request), number=number)
    if guarantee is None:
        raise Http404
    versions = selectors.guarantee_certificate_versions(guarantee=guarantee)
    if not versions:
        raise Http404
    return guarantee, versions


def _pick(versions: list[Certificate], version: int | None) -> Certificate:
    if version is None:
        return versions[0]
    for certificate in versions:
        if certificate.version == version:
            return certificate
    raise Http404


@contractor_required
def certificate_detail(request: HttpRequest, number: str, version: int | None = None) -> HttpResponse:
    """●保証内容表示画面: the latest version by default, with the history of versions."""
    guarantee, versions = _versions(request, number)
    certificate = _pick(versions, version)
    status = guarantee_status(guarantee)
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "guarantee": guarantee,
            "certificate": certificate,
            "versions": versions,
            "is_latest": certificate.version == versions[0].version,
            "status_label": status.label,
            "in_force": status.in_force,
        },
    )


@contractor_required
@never_cache
def certificate_print(request: HttpRequest, number: str, version: int | None = None) -> HttpResponse:
    """印刷画面: the certificate alone, laid out for one A4 page."""
    guarantee, versions = _versions(request, number)
    certificate = _pick(versions, version)
    return render(
        request,
        "certificates/certificate_print.html",
        {"guarantee": guarantee, "certificate": certificate},
    )


def manual(request: HttpRequest) -> HttpResponse:
    """マニュアル: how to use these screens. Public, so that it helps before logging in too."""
    return render(request, "certificates/manual.html")


def signature_help(request: HttpRequest) -> HttpResponse:
    """電子署名の確かめ方: what the PDFs' signature proves and how to check it and the receipt's
    SHA-256. Public: orderers read it from the verification receipt, without an account."""
    return render(request, "certificates/signature_help.html")
