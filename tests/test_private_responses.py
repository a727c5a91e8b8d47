"""``Cache-Control: no-store`` on every page behind a login and on every document, and a NUL byte in
any query (every search box, filter and parameter) answered with the 400 page in Japanese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import ApplicationDocument
from applications.services import drafts
from tests.factories import issue_guarantee
from tests.test_url_access import ROUTES, _sample_path

pytestmark = pytest.mark.django_db

KEY = "K5VL4+5QG_KJ"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NUL_MESSAGE = "入力に使用できない文字（NUL 文字）が含まれています"


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# --- no-store ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "namespace", "pattern"), ROUTES, ids=[f"{r[0] or r[2]}" for r in ROUTES])
def test_every_url_answers_a_logged_in_contractor_with_no_store(client, user_a, name, namespace, pattern):
    # given a logged-in contractor, when any URL of the portal is opened (whatever it answers)
    client.force_login(user_a)
    client.raise_request_exception = False
    response = client.get(_sample_path(pattern))

    # then the answer may not be kept by any cache
    assert no_store(response), (
        f"{pattern} answered {response.status_code} with {response.get('Cache-Control')}"
    )


@pytest.mark.parametrize(
    ("name", "namespace", "pattern"),
    [route for route in ROUTES if route[2].startswith("admin/")],
    ids=[r[0] or r[2] for r in ROUTES if r[2].startswith("admin/")],
)
def test_every_admin_url_answers_staff_with_no_store(client, head_office, name, namespace, pattern):
    client.force_login(head_office)
    client.raise_request_exception = False
    response = client.get(_sample_path(pattern))
    assert no_store(response), (
        f"{pattern} answered {response.status_code} with {response.get('Cache-Control')}"
    )


@pytest.fixture
def guarantee(user_a, orderer):
    return issue_guarantee(contractor=user_a.contractor, orderer=orderer, concluded_on=dt.date(2026, 6, 1))


def test_the_contractors_screens_and_documents_are_no_store(client, user_a, guarantee, settings, tmp_path):
    # given a contractor with a guarantee and an application with an uploaded document
    settings.MEDIA_ROOT = str(tmp_path)
    application = drafts.application_create(user=user_a, kind="advance")
    document = drafts.application_document_add(
        application=application,
        user=user_a,
        doc_type=ApplicationDocument.DocType.CONTRACT,
        upload=SimpleUploadedFile("契約書.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    client.force_login(user_a)

    # when they open the list, the certificate screen, the application and its document, and PDFs
    pages = {
        "list": reverse("certificates:list"),
        "certificate": reverse("certificates:detail", args=[guarantee.number]),
        "application": reverse("applications:detail", args=[application.pk]),
        "document": reverse("applications:document", args=[application.pk, document.pk]),
        "certificate_pdf": reverse("documents:certificate", args=[guarantee.number, 1]),
        "key_notice_pdf": reverse("documents:authkey_notice", args=[guarantee.number]),
    }
    for label, path in pages.items():
        response = client.post(path) if label == "key_notice_pdf" else client.get(path)
        # then each answers, and none may be stored by a cache
        assert response.status_code == 200, label
        assert no_store(response), f"{label}: {response.get('Cache-Control')}"
        assert "no-cache" not in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_an_orderers_documents_are_no_store_without_a_login(client, user_a, orderer):
    guarantee = issue_guarantee(contractor=user_a.contractor, orderer=orderer, key=KEY)
    verified = client.post("/verify/", {"contract_number": guarantee.number, "auth_key": KEY})
    assert verified.status_code == 303
    token = verified["Location"].rstrip("/").rsplit("/", 1)[1]
    for name in ("documents:verified_certificate", "documents:verification_receipt"):
        response = client.get(reverse(name, args=[token]))
        assert response.status_code == 200, name
        assert no_store(response), name


def test_a_public_page_for_an_anonymous_visitor_stays_cacheable_by_its_own_rules(client):
    response = client.get(reverse("certificates:manual"))
    assert response.status_code == 200
    assert not no_store(response)


# --- NUL bytes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["q=%00abc", "q=abc%00", "field=%00&q=x", "status=%00", "page=%00", "%00=1"],
)
def test_a_nul_byte_in_the_lists_search_answers_400_in_japanese(client, user_a, guarantee, query):
    client.force_login(user_a)
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_a_nul_byte_in_the_applications_orderer_search_answers_400_in_japanese(client, user_a):
    application = drafts.application_create(user=user_a, kind="advance")
    client.force_login(user_a)
    response = client.get(reverse("applications:step", args=[application.pk, "kind"]), {"q": "\x00市"})
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/applications/changes/?q=%00", "/applications/quote/?amount=1%00", "/verify/?number=%00"],
)
def test_a_nul_byte_in_any_other_query_answers_400_in_japanese(client, user_a, path):
    client.force_login(user_a)
    response = client.get(path)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/changes?since=%00", "/api/v1/changes?%00=1"])
def test_a_nul_byte_in_an_api_query_answers_the_apis_own_json_error(client, path):
    # when a system sends a NUL byte in an API query
    response = client.get(path)
    # then it gets the API's documented error body, not the page for people
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "invalid"
    assert NUL_MESSAGE in response.json()["message"]


SEARCHABLE = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model, model_admin in admin.site._registry.items()
    if model_admin.search_fields
)


@pytest.mark.parametrize(("app_label", "model_name"), SEARCHABLE, ids=[f"{a}.{m}" for a, m in SEARCHABLE])
def test_a_nul_byte_in_an_admin_search_box_answers_400_in_japanese(
    client, head_office, app_label, model_name
):
    client.force_login(head_office)
    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), {"q": "\x00abc"})
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_a_nul_byte_typed_into_a_posted_form_gets_the_forms_own_message(client):
    # (posted text is judged by the forms: Django's fields refuse NUL with a message of their own)
    response = client.post("/verify/", {"contract_number": "\x00", "auth_key": "\x00"})
    assert response.status_code == 400
    assert 'class="verify-field-error"' in response.content.decode()
