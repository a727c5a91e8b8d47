"""The 保証料計算書 as a signed PDF: the figures as printed, the signature, who may download."""
# mypy: disable-error-code="union-attr,operator"

import datetime as dt
import io

import pytest
from django.urls import reverse
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from time_machine import escape_hatch

from applications import pdf
from applications.services import drafts, review
from certificates import signing
from guarantees.formatting import to_wareki
from tests.factories import issue_guarantee
from tests.pdf.conftest import flat_text

from .conftest import make_draft
from .conftest import pdf as pdf_upload


def _text(data: bytes) -> str:
    """The page's text without line breaks or spaces (wrapping and 和暦 padding vary)."""
    return flat_text(data).replace(" ", "").replace("\u3000", "")


def _wareki(day: dt.date) -> str:
    return to_wareki(day).replace(" ", "")


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def big_submission(user_a, orderer, tokyo_branch):
    """The brochure's 145,670,000 yen advance for a national orderer: two bands and the discount."""
    draft = make_draft(
        user_a, orderer, tokyo_branch, contract_amount_total=400_000_000, guarantee_amount=145_670_000
    )
    return drafts.application_submit(application=draft, submitted_by=user_a)


def _approve(application, reviewer):
    review.application_review_start(application=application, clerk=reviewer)
    return review.application_approve(application=application, clerk=reviewer)


def _pay(application, reviewer):
    _approve(application, reviewer)
    return review.application_fee_record(
        application=application, clerk=reviewer, amount=application.fee_amount, paid_on=dt.date(2026, 7, 1)
    )


@pytest.fixture
def advance(user_a, orderer, tokyo_branch):
    return issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 6, 1)
    )


def _assert_signed_by_the_guarantor(data: bytes) -> None:
    root = signing.configured_pair_paths()["root_path"]
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    (embedded,) = reader.embedded_signatures
    status = validate_pdf_signature(
        embedded, ValidationContext(trust_roots=[load_cert_from_pemder(str(root))])
    )
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"


def _sign_now(time_machine) -> None:
    """Sign at the real time: the flow's tests run on 2026-07-01, before the development signing
    certificate was made."""
    time_machine.move_to(
        dt.datetime.fromtimestamp(escape_hatch.time.time(), tz=dt.UTC) + dt.timedelta(minutes=1)
    )
    signing.signing_material()


# --- What is printed ------------------------------------------------------------------------------


def test_the_fee_statement_prints_each_band_the_discount_and_the_total(big_submission, reviewer):
    # given the fee recorded
    application = _pay(big_submission, reviewer)
    # when
    data = pdf.fee_statement_pdf(application=application)
    # then the figures as printed, on one page
    text = _text(data)
    assert "保証料計算書" in text
    assert "株式会社アルファ建設" in text
    assert "国道〇号線道路改良工事その1" in text
    assert "145,670,000円" in text
    assert "0円超〜50,000,000円50,000,000円0.060%30,000円" in text
    assert "50,000,000円超〜145,670,000円95,670,000円0.050%47,835円" in text
    assert "小計（円未満切捨て）77,835円" in text
    assert "e-Net割引−200円" in text
    assert "保証料（非課税）77,635円" in text
    assert f"保証料の計算日{_wareki(dt.date(2026, 7, 1))}" in text
    assert f"{_wareki(dt.date(2026, 7, 1))}77,635円（入金確認済）" in text
    assert _pages(data) == 1


def test_a_fee_statement_before_payment_says_unpaid_and_after_issue_names_the_number(
    big_submission, reviewer
):
    # given an approved application, not paid
    application = _approve(big_submission, reviewer)
    assert "入金未入金" in _text(pdf.fee_statement_pdf(application=application))
    # when it is paid and issued
    _pay_only = review.application_fee_record(
        application=application, clerk=reviewer, amount=77_635, paid_on=dt.date(2026, 7, 1)
    )
    issued = review.application_issue(application=_pay_only, clerk=reviewer)
    # then the statement names the guarantee number
    assert f"保証契約番号{issued.guarantee.number}" in _text(pdf.fee_statement_pdf(application=issued))


def test_an_odd_amount_prints_the_unrounded_band_fee_and_rounds_the_sum_down_once(
    user_a, orderer, tokyo_branch
):
    # given 12,345,678 yen: 12,345,678 × 0.06% = 7,407.4068 yen
    draft = make_draft(user_a, orderer, tokyo_branch, guarantee_amount=12_345_678)
    application = drafts.application_submit(application=draft, submitted_by=user_a)
    # when
    text = _text(pdf.fee_statement_pdf(application=application))
    # then
    assert "12,345,678円0.060%7,407.4068円" in text
    assert "小計（円未満切捨て）7,407円" in text
    assert "保証料（非課税）7,207円" in text


def test_an_increase_statement_prints_the_new_amounts_fee_less_the_old_ones(advance, user_a, reviewer):
    # given an increase of the 40,000,000 yen advance to 48,000,000 yen, paid and issued
    application = drafts.application_create_change(user=user_a, guarantee=advance, purpose="change")
    drafts.application_save_draft(
        application=application,
        user=user_a,
        values={
            "change_type": "increase",
            "guarantee_amount": 48_000_000,
            "contract_amount_total": 120_000_000,
            "contract_amount_target": 120_000_000,
            "reason": "設計変更による増額",
        },
    )
    drafts.application_document_add(
        application=application, user=user_a, doc_type="contract", upload=pdf_upload()
    )
    application = _pay(drafts.application_submit(application=application, submitted_by=user_a), reviewer)
    application = review.application_issue(application=application, clerk=reviewer)
    # when
    text = _text(pdf.fee_statement_pdf(application=application))
    # then 28,800 − 24,000 = 4,800, no discount
    assert f"保証契約番号{advance.number}" in text
    assert "変更後の保証金額48,000,000円" in text
    assert "0円超〜48,000,000円48,000,000円0.060%28,800円" in text
    assert "変更後の保証金額に対する保証料（円未満切捨て）28,800円" in text
    assert "変更前の保証金額に対する保証料（同じ料率）−24,000円" in text
    assert "増額分の保証料4,800円" in text
    assert "保証料（非課税）4,800円" in text
    assert "割引" not in text


def test_the_fee_statement_carries_a_valid_signature_of_the_guarantor(big_submission, time_machine):
    # given the statement, signed now
    _sign_now(time_machine)
    # when
    data = pdf.fee_statement_pdf(application=big_submission)
    # then
    _assert_signed_by_the_guarantor(data)


# --- Who may download -----------------------------------------------------------------------------


@pytest.fixture
def fee_url(big_submission):
    return reverse("applications:fee_statement_pdf", args=[big_submission.pk])


def test_the_owning_contractor_downloads_the_statement(client, fee_url, user_a):
    client.force_login(user_a)
    response = client.get(fee_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("persona", ["anonymous", "user_b", "stranger", "reviewer"])
def test_everyone_else_gets_404_on_the_contractor_url(client, fee_url, persona, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(fee_url).status_code == 404


def test_an_unknown_statement_is_404_like_anothers(client, fee_url, user_a, big_submission):
    client.force_login(user_a)
    unknown = reverse("applications:fee_statement_pdf", args=[big_submission.pk + 1000])
    assert client.get(unknown).status_code == 404


def test_a_draft_has_no_fee_statement_yet(client, draft, user_a):
    client.force_login(user_a)
    assert client.get(reverse("applications:fee_statement_pdf", args=[draft.pk])).status_code == 404
    page = client.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert "保証料計算書" not in page


def test_the_application_screen_links_to_the_statement(client, fee_url, user_a, big_submission):
    client.force_login(user_a)
    detail = client.get(reverse("applications:detail", args=[big_submission.pk])).content.decode()
    assert fee_url in detail


def test_staff_of_the_branch_download_the_statement_in_admin_and_others_do_not(
    client, big_submission, user_a, reviewer, other_branch_reviewer
):
    url = reverse("admin:applications_application_fee_statement", args=[big_submission.pk])
    # then the branch's clerk gets the PDF, and the link is on the application's admin page
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    page = client.get(reverse("admin:applications_application_change", args=[big_submission.pk]))
    assert url in page.content.decode()
    # and another branch's clerk gets 404, a contractor is sent to the admin login
    client.force_login(other_branch_reviewer)
    assert client.get(url).status_code == 404
    client.force_login(user_a)
    assert client.get(url).status_code == 302
