from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .api.views import ChangesApi, VerificationBatchApi, VerificationCreateApi

app_name = "api"

urlpatterns = [
    path("v1/verifications", VerificationCreateApi.as_view(), name="verifications"),
    path("v1/verifications/batch", VerificationBatchApi.as_view(), name="verifications-batch"),
    path("v1/changes", ChangesApi.as_view(), name="changes"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from local static files (drf-spectacular-sidecar), its init script a separate file
    # so a strict CSP needs no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="apiclients/swagger_ui.html"
        ),
        name="docs",
    ),
]
