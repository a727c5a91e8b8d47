"""Who may download which PDF: contractors their own, orderers through the verified token, staff in
admin. Everyone else gets 404."""

from __future__ import annotations

import hashlib

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from authkeys.audit_actions import AUTHKEY_DISPLAYED
from certificates.models import CertificateDocument
from certificates.tokens import verified_access_token
from guarantees.models import AuditEvent
from tests.factories import BranchFactory, OrdererFactory, UserFactory, issue_guarantee
from tests.pdf.conftest import flat_text, pdf_text


def certificate_url(guarantee, version=1):
    return reverse("documents:certificate", kwargs={"number": guarantee.number, "version": version})


def notice_url(guarantee):
    return reverse("documents:authkey_notice", kwargs={"number": guarantee.number})


# --- Contractors -----------------------------------------------------------------------------------


def test_a_contractor_downloads_the_stored_pdf_of_its_own_certificate(client, user_a, issued):
    # given
    client.force_login(user_a)
    # when
    response = client.get(certificate_url(issued))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="certificate-{issued.number}-v1.pdf"'
    document = CertificateDocument.objects.get(certificate__guarantee=issued)
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert response["ETag"] == f'"{document.sha256}"'
    assert issued.number in pdf_text(response.content)


def test_a_second_download_is_the_same_file_and_a_revalidation_is_not_modified(client, user_a, issued):
    client.force_login(user_a)
    first = client.get(certificate_url(issued))
    second = client.get(certificate_url(issued))
    assert first.content == second.content
    assert CertificateDocument.objects.filter(certificate__guarantee=issued).count() == 1
    revalidated = client.get(certificate_url(issued), headers={"If-None-Match": first["ETag"]})
    assert revalidated.status_code == 304


def test_a_stored_pdf_whose_file_was_lost_is_rendered_again_from_the_immutable_version(
    client, user_a, issued
):
    from django.core.files.storage import default_storage

    # given the stored file is gone (media lost, a restore without the media backup)
    client.force_login(user_a)
    client.get(certificate_url(issued))
    document = CertificateDocument.objects.get(certificate__guarantee=issued)
    default_storage.delete(document.file.name)
    # when the contractor downloads it
    response = client.get(certificate_url(issued))
    # then the same version is rendered again, stored, and recorded with its new sha256
    assert response.status_code == 200
    assert issued.number in pdf_text(response.content)
    document.refresh_from_db()
    assert default_storage.exists(document.file.name)
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert CertificateDocument.objects.filter(certificate__guarantee=issued).count() == 1


def test_a_stored_pdf_that_was_changed_is_never_served(client, user_a, issued):
    from django.core.files.storage import default_storage

    # given someone changed one byte of the stored file
    client.force_login(user_a)
    client.get(certificate_url(issued))
    document = CertificateDocument.objects.get(certificate__guarantee=issued)
    with default_storage.open(document.file.name, "rb") as handle:
        data = bytearray(handle.read())
    data[-10] ^= 1
    with open(default_storage.path(document.file.name), "wb") as handle:
        handle.write(bytes(data))
    # when it is downloaded, then the portal refuses with a clear page and an incident number
    response = client.get(certificate_url(issued))
    assert response.status_code == 503
    assert "PDFを表示できません" in response.content.decode()
    assert response["X-Request-ID"] in response.content.decode()


def test_a_number_typed_in_full_width_digits_still_finds_the_certificate(client, user_a, issued):
    client.force_login(user_a)
    wide = issued.number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.get(f"/documents/certificates/{wide}/v1.pdf")
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "user_b", "stranger", "branch_clerk", "head_office"])
def test_nobody_else_gets_a_contractors_certificate(client, issued, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(certificate_url(issued)).status_code == 404


def test_a_version_that_does_not_exist_is_not_found(client, user_a, issued):
    client.force_login(user_a)
    assert client.get(certificate_url(issued, version=2)).status_code == 404
    assert client.get("/documents/certificates/0000000000/v1.pdf").status_code == 404


# --- The key notice --------------------------------------------------------------------------------


def test_the_key_notice_shows_the_key_to_its_contractor_and_records_that(client, user_a, issued):
    # given
    client.force_login(user_a)
    # when
    response = client.post(notice_url(issued))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = flat_text(response.content)
    assert "K5VL4+5QG_KJ" in text
    assert issued.number in text
    displayed = AuditEvent.objects.filter(guarantee=issued, action=AUTHKEY_DISPLAYED)
    assert displayed.get().actor == user_a


def test_the_key_notice_is_never_stored(client, user_a, issued, media_root):
    # given: nothing stored yet (the issue's commit hook did not run in this test)
    client.force_login(user_a)
    # when
    response = client.post(notice_url(issued))
    # then: a PDF went out, and neither a row nor a file stayed behind
    assert response.status_code == 200
    assert not CertificateDocument.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*"))


def test_the_key_notice_needs_a_post(client, user_a, issued):
    client.force_login(user_a)
    assert client.get(notice_url(issued)).status_code == 405
    assert not AuditEvent.objects.filter(action=AUTHKEY_DISPLAYED).exists()


@pytest.mark.parametrize("who", ["anonymous", "user_b", "stranger", "branch_clerk"])
def test_nobody_else_gets_the_key_notice_and_nothing_is_recorded(client, issued, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.post(notice_url(issued)).status_code == 404
    assert not AuditEvent.objects.filter(action=AUTHKEY_DISPLAYED).exists()


def test_a_paper_guarantee_has_no_key_notice(client, user_a, contractor_a):
    paper = issue_guarantee(contractor=contractor_a, orderer=OrdererFactory(e_guarantee_adopted_on=None))
    client.force_login(user_a)
    assert client.post(notice_url(paper)).status_code == 404


# --- Orderers, through the verified-access token -------------------------------------------------------


def test_an_orderer_with_a_token_downloads_the_verified_certificate(client, issued):
    # given
    certificate = issued.certificates.get()
    token = verified_access_token(certificate_id=certificate.pk, verification_id=5)
    # when
    response = client.get(reverse("documents:verified_certificate", kwargs={"token": token}))
    # then
    assert response.status_code == 200
    document = CertificateDocument.objects.get(certificate=certificate)
    assert hashlib.sha256(response.content).hexdigest() == document.sha256


def test_an_orderer_with_a_token_downloads_a_receipt_of_the_verification(client, issued):
    # given: verified at 10:05 Tokyo time
    certificate = issued.certificates.get()
    with time_machine.travel("2026-11-24 10:05:09 +0900", tick=False):
        token = verified_access_token(certificate_id=certificate.pk, verification_id=5)
    # when: downloaded a few minutes later
    with time_machine.travel("2026-11-24 10:12:00 +0900", tick=False):
        response = client.get(reverse("documents:verification_receipt", kwargs={"token": token}))
    # then
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "確認日時 令和 8年11月24日 10:05:09（日本時間）" in text
    assert f"保証契約番号 {issued.number}" in text
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["documents:verified_certificate", "documents:verification_receipt"])
def test_a_forged_or_expired_token_gets_nothing(client, issued, name):
    certificate = issued.certificates.get()
    with time_machine.travel("2026-11-24 10:00 +0900", tick=False):
        token = verified_access_token(certificate_id=certificate.pk)
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    with time_machine.travel("2026-11-24 10:05 +0900", tick=False):
        assert client.get(reverse(name, kwargs={"token": forged})).status_code == 404
        assert client.get(reverse(name, kwargs={"token": "not-a-token"})).status_code == 404
    with time_machine.travel("2026-11-24 10:31 +0900", tick=False):
        assert client.get(reverse(name, kwargs={"token": token})).status_code == 404
    gone = verified_access_token(certificate_id=certificate.pk + 1000)
    assert client.get(reverse(name, kwargs={"token": gone})).status_code == 404


# --- Staff, in admin ---------------------------------------------------------------------------------


def admin_pdf_url(guarantee):
    return reverse("admin:certificates_certificate_pdf", args=[guarantee.certificates.get().pk])


def test_staff_of_the_branch_download_a_certificate_in_admin(client, branch_clerk, issued):
    client.force_login(branch_clerk)
    response = client.get(admin_pdf_url(issued))
    assert response.status_code == 200
    document = CertificateDocument.objects.get(certificate__guarantee=issued)
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    listing = client.get(reverse("admin:certificates_certificate_changelist"))
    assert admin_pdf_url(issued) in listing.content.decode()


def test_head_office_downloads_any_branchs_certificate(client, head_office, issued):
    client.force_login(head_office)
    assert client.get(admin_pdf_url(issued)).status_code == 200


def test_staff_of_another_branch_or_without_permission_get_nothing(client, issued):
    other_branch = UserFactory(is_staff=True, branch=BranchFactory(code="146", name="鹿児島支店"))
    other_branch.user_permissions.set(Permission.objects.filter(content_type__app_label="certificates"))
    client.force_login(other_branch)
    assert client.get(admin_pdf_url(issued)).status_code == 404
    client.force_login(UserFactory(is_staff=True))  # staff without any permission
    assert client.get(admin_pdf_url(issued)).status_code == 404


def test_contractors_never_reach_the_admin_download(client, user_a, issued):
    client.force_login(user_a)
    response = client.get(admin_pdf_url(issued))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_see_the_stored_pdfs_of_a_version_with_their_sha256(client, branch_clerk, issued):
    from certificates import pdf

    document = pdf.certificate_document(certificate=issued.certificates.get())
    client.force_login(branch_clerk)
    page = client.get(reverse("admin:certificates_certificate_change", args=[document.certificate_id]))
    assert page.status_code == 200
    assert document.sha256 in page.content.decode()
