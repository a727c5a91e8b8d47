from django.contrib import admin
from django.urls import include, path, register_converter

from .converters import ContractNumberConverter
from .health import healthz

register_converter(ContractNumberConverter, "contract_number")

handler500 = "config.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # Contractors: 保証工事一覧 and certificates (home page), auth key screens.
    path("", include("certificates.urls")),
    path("keys/", include("authkeys.urls")),
    # PDFs of certificates, key notices and verification receipts.
    path("documents/", include("certificates.urls_pdf")),
    # Orderers: verification in the browser and through the API.
    path("verify/", include("verification.urls")),
    path("api/", include("apiclients.api_urls")),
    # Mail: submission to orderers, receipt confirmation, change subscriptions.
    path("notifications/", include("notifications.urls")),
    # The advance's paperwork keeps the addresses it had under e-Net保証.
    path("applications/advances/", include("advances.urls")),
    path("applications/", include("applications.urls")),
]
