"""The OpenAPI schema is generated from the code, valid, served with local docs, and the API keeps it."""

from __future__ import annotations

import io

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apiclients.services import api_credentials_issue
from tests.factories import ApiClientFactory, issue_guarantee
from tests.verification.helpers import KEY

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_warnings_and_validates():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    for operation in ['"/api/v1/verifications"', '"/api/v1/verifications/batch"', '"/api/v1/changes"']:
        assert operation in out.getvalue()


def test_the_docs_page_loads_swagger_ui_from_local_static_files_without_inline_script(client):
    response = client.get("/api/docs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "http://" not in body
    assert "https://" not in body
    assert "<script>" not in body
    assert "<style>" not in body
    init = client.get("/api/docs/?script=")
    assert init.status_code == 200
    assert "/api/schema/" in init.content.decode()


_portal = get_wsgi_application()


def _app_in_test_transaction(environ, start_response):
    """The portal's WSGI app, keeping the test's database connection open as Django's test client
    does (request_started and request_finished would otherwise close it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = _portal(environ, start_response)
        body = list(response)
        response.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return body


# The schema is fetched from the portal itself, through WSGI (no server, no database needed for it).
schema = schemathesis.openapi.from_wsgi("/api/schema/", _app_in_test_transaction)


@pytest.fixture
def example_guarantee(db, settings):
    settings.VERIFICATION_FAILURES_PER_CLIENT = 1_000_000
    settings.VERIFICATION_SUCCESSES_PER_CLIENT = 1_000_000
    settings.VERIFICATION_FAILURES_PER_NUMBER = 1_000_000
    return issue_guarantee(number="1070000473", key=KEY)  # the documented example verifies


@pytest.fixture
def api_key(db):
    client = ApiClientFactory(quota_per_hour=1_000_000, failures_per_hour=1_000_000)
    return api_credentials_issue(client=client, issued_by=None).api_key


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_has_no_server_errors_and_keeps_to_its_schema(case, example_guarantee, api_key):
    # The single verification is tried anonymously (its address limits); the rest as an API client.
    # The key goes on the case itself, so that schemathesis judges the request as sent: a case whose
    # only fault was a missing Authorization header is a valid request once the key is on it.
    if case.operation.path != "/api/v1/verifications":
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {api_key}"}
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
            negative_data_rejection,
            positive_data_acceptance,
        ],
    )
