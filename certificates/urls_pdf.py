"""PDF downloads, mounted at /documents/ (namespace "documents"). See docs/pdf.md."""

from django.urls import path

from . import pdf_views

app_name = "documents"

urlpatterns = [
    path(
        "certificates/<contract_number:number>/v<int:version>.pdf",
        pdf_views.certificate_download,
        name="certificate",
    ),
    path(
        "keys/<contract_number:number>/notice.pdf", pdf_views.authkey_notice_download, name="authkey_notice"
    ),
    path(
        "verified/<str:token>/certificate.pdf",
        pdf_views.verified_certificate_download,
        name="verified_certificate",
    ),
    path(
        "verified/<str:token>/receipt.pdf",
        pdf_views.verification_receipt_download,
        name="verification_receipt",
    ),
]
