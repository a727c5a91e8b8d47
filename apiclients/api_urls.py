from django.urls import path

from portal.lazy_views import view_on_first_request

app_name = "api"

# The API's views (Django REST framework, drf-spectacular) load on their first request, not in every
# process that loads the URLs (portal/lazy_views.py).
urlpatterns = [
    path(
        "v1/verifications",
        view_on_first_request("apiclients.api.views.VerificationCreateApi"),
        name="verifications",
    ),
    path(
        "v1/verifications/batch",
        view_on_first_request("apiclients.api.views.VerificationBatchApi"),
        name="verifications-batch",
    ),
    path("v1/changes", view_on_first_request("apiclients.api.views.ChangesApi"), name="changes"),
    path("schema/", view_on_first_request("drf_spectacular.views.SpectacularAPIView"), name="schema"),
    path(
        "docs/",
        # Swagger UI from local static files (drf-spectacular-sidecar), its init script a separate
        # file so a strict CSP needs no inline script.
        view_on_first_request(
            "drf_spectacular.views.SpectacularSwaggerSplitView",
            url_name="api:schema",
            template_name="apiclients/swagger_ui.html",
        ),
        name="docs",
    ),
]
