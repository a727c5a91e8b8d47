"""Issued certificate versions: read-only in admin, as they are in the database."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from guarantees.formatting import slash_date, yen
from portal.admin import BranchScopedAdmin

from .models import Certificate, CertificateDocument


class CertificateDocumentInline(admin.TabularInline):
    """The stored PDFs of a version: staff can match a sha256 an orderer reads out."""

    model = CertificateDocument
    fields = ["kind", "template_version", "sha256", "size", "created_at"]
    readonly_fields = ["kind", "template_version", "sha256", "size", "created_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(BranchScopedAdmin):
    branch_lookup = "guarantee__branch"
    list_display = [
        "contract_number",
        "version",
        "is_change",
        "medium",
        "title",
        "work_name",
        "amount",
        "issued",
        "registered_at",
        "pdf_link",
    ]
    list_filter = ["medium", "is_change", "kind"]
    search_fields = ["contract_number", "work_name", "contractor_name", "orderer_title"]
    show_full_result_count = False
    inlines = [CertificateDocumentInline]

    @admin.display(description=_("保証金額"), ordering="guarantee_amount")
    def amount(self, obj: Certificate) -> str:
        return yen(obj.guarantee_amount)

    @admin.display(description=_("証書発行日"), ordering="issued_on")
    def issued(self, obj: Certificate) -> str:
        return slash_date(obj.issued_on)

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj: Certificate) -> str:
        url = reverse("admin:certificates_certificate_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("ダウンロード"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*(f.name for f in Certificate._meta.fields), "pdf_link"]

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="certificates_certificate_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The stored, signed PDF of one version, for staff of the certificate's branch."""
        from . import pdf_views  # WeasyPrint loads only where PDFs are made
        from .pdf import certificate_document

        if not self.has_view_permission(request):
            raise Http404
        certificate = get_object_or_404(self.get_queryset(request), pk=pk)
        document = certificate_document(certificate=certificate)
        document.certificate = certificate
        return pdf_views.stored_document_response(request, document)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
