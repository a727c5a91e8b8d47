from django.urls import path

from .api import schema_views
from .api.views import ChangesApi, VerificationBatchApi, VerificationCreateApi

app_name = "api"

urlpatterns = [
    path("v1/verifications", VerificationCreateApi.as_view(), name="verifications"),
    path("v1/verifications/batch", VerificationBatchApi.as_view(), name="verifications-batch"),
    path("v1/changes", ChangesApi.as_view(), name="changes"),
    path("schema/", schema_views.schema, name="schema"),
    path("docs/", schema_views.docs, name="docs"),
]
