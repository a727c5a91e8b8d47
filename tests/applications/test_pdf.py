"""The e-Net paperwork as signed PDFs: the figures as printed, the signature, who may download."""
# mypy: disable-error-code="union-attr,operator"

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from time_machine import escape_hatch

from applications import pdf, services
from applications.models import AdvanceUsePlan, WithdrawalRequest
from applications.services import UseRowInput, WithdrawalLineInput
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
    return services.application_submit(application=draft, submitted_by=user_a)


def _approve(application, reviewer):
    services.application_review_start(application=application, clerk=reviewer)
    return services.application_approve(application=application, clerk=reviewer)


def _pay(application, reviewer):
    _approve(application, reviewer)
    return services.application_fee_record(
        application=application, clerk=reviewer, amount=application.fee_amount, paid_on=dt.date(2026, 7, 1)
    )


@pytest.fixture
def advance(user_a, orderer, tokyo_branch):
    return issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 6, 1)
    )


def _plan_rows():
    return [
        UseRowInput(
            category="materials",
            advance_use=25_000_000,
            total_required=60_000_000,
            quantity="生コン1,200m3",
            payout_method="transfer",
            payout_schedule="令和8年8月",
            payee="株式会社九州生コン",
        ),
        UseRowInput(category="labour", advance_use=14_976_200, payout_method="cash"),
        UseRowInput(category="guarantee_fee", advance_use=23_800, payout_method="own_account", payee="自社"),
    ]


@pytest.fixture
def plan(advance, user_a):
    return services.use_plan_save(guarantee=advance, user=user_a, rows=_plan_rows())


def _withdraw(advance, user_a, amount: int) -> WithdrawalRequest:
    return services.withdrawal_request_create(
        guarantee=advance,
        user=user_a,
        requested_on=dt.date(2026, 7, 10),
        lines=[
            WithdrawalLineInput(category="materials", payee="株式会社九州生コン", amount=amount),
            WithdrawalLineInput(category="labour", payee="山田工業", amount=1_500_000),
        ],
    )


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
    _pay_only = services.application_fee_record(
        application=application, clerk=reviewer, amount=77_635, paid_on=dt.date(2026, 7, 1)
    )
    issued = services.application_issue(application=_pay_only, clerk=reviewer)
    # then the statement names the guarantee number
    assert f"保証契約番号{issued.guarantee.number}" in _text(pdf.fee_statement_pdf(application=issued))


def test_an_odd_amount_prints_the_unrounded_band_fee_and_rounds_the_sum_down_once(
    user_a, orderer, tokyo_branch
):
    # given 12,345,678 yen: 12,345,678 × 0.06% = 7,407.4068 yen
    draft = make_draft(user_a, orderer, tokyo_branch, guarantee_amount=12_345_678)
    application = services.application_submit(application=draft, submitted_by=user_a)
    # when
    text = _text(pdf.fee_statement_pdf(application=application))
    # then
    assert "12,345,678円0.060%7,407.4068円" in text
    assert "小計（円未満切捨て）7,407円" in text
    assert "保証料（非課税）7,207円" in text


def test_an_increase_statement_prints_the_new_amounts_fee_less_the_old_ones(advance, user_a, reviewer):
    # given an increase of the 40,000,000 yen advance to 48,000,000 yen, paid and issued
    application = services.application_create_change(user=user_a, guarantee=advance, purpose="change")
    services.application_save_draft(
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
    services.application_document_add(
        application=application, user=user_a, doc_type="contract", upload=pdf_upload()
    )
    application = _pay(services.application_submit(application=application, submitted_by=user_a), reviewer)
    application = services.application_issue(application=application, clerk=reviewer)
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


def test_the_use_plan_prints_its_revision_rows_and_totals(plan, advance, user_a):
    # given an amended plan (revision 2)
    rows = _plan_rows()
    rows[1] = UseRowInput(
        category="labour", advance_use=14_976_200, payout_method="transfer", payee="山田工業"
    )
    plan = services.use_plan_save(guarantee=advance, user=user_a, rows=rows)
    # when
    data = pdf.use_plan_pdf(plan=AdvanceUsePlan.objects.get(pk=plan.pk))
    # then
    text = _text(data)
    assert "前払金使途内訳明細書" in text
    assert f"{advance.number}（第2版）" in text
    assert "材料費生コン1,200m360,000,000円25,000,000円1支払先へ振込令和8年8月株式会社九州生コン" in text
    assert "労務費未定未定14,976,200円1支払先へ振込未定山田工業" in text
    assert "保証料未定未定23,800円3立替払済のため自社口座に振替未定自社" in text
    assert "合計60,000,000円※40,000,000円" in text
    assert "※全所要金額の合計は「未定」の項目を除きます。" in text
    assert "前払金額40,000,000円" in text
    assert _pages(data) == 1


def test_the_withdrawal_request_prints_lines_total_and_balance_after(plan, advance, user_a):
    # given a first request, then a second
    _withdraw(advance, user_a, 8_500_000)
    second = _withdraw(advance, user_a, 2_000_000)
    # when
    data = pdf.withdrawal_request_pdf(request=second)
    # then
    text = _text(data)
    assert "前払金払出依頼書" in text
    assert "依頼第2回" in text
    assert f"払出希望日{_wareki(dt.date(2026, 7, 10))}" in text
    assert "材料費株式会社九州生コン2,000,000円" in text
    assert "労務費山田工業1,500,000円" in text
    assert "払出額合計3,500,000円" in text
    assert "既払出額10,000,000円" in text
    assert "払出後の残高26,500,000円" in text
    assert _pages(data) == 1


def test_a_withdrawal_from_an_advance_issued_through_e_net_prints_the_account(
    user_a, orderer, tokyo_branch, reviewer
):
    # given an advance issued from an application with its account, a plan and a request
    draft = make_draft(user_a, orderer, tokyo_branch)
    application = _pay(services.application_submit(application=draft, submitted_by=user_a), reviewer)
    guarantee = services.application_issue(application=application, clerk=reviewer).guarantee
    services.use_plan_save(guarantee=guarantee, user=user_a, rows=_plan_rows())
    request = _withdraw(guarantee, user_a, 1_000_000)
    # when
    text = _text(pdf.withdrawal_request_pdf(request=request))
    # then
    assert f"{guarantee.bank.name}{guarantee.bank.branch_name}御中" in text
    assert "普通預金1234567カ）アルファケンセツ" in text


def test_every_paperwork_pdf_carries_a_valid_signature_of_the_guarantor(
    big_submission, plan, advance, user_a, time_machine
):
    # given the three documents, signed now (the flow's tests run on 2026-07-01, before the
    # development signing certificate was made)
    withdrawal = _withdraw(advance, user_a, 1_000_000)
    time_machine.move_to(
        dt.datetime.fromtimestamp(escape_hatch.time.time(), tz=dt.UTC) + dt.timedelta(minutes=1)
    )
    signing.signing_material()
    root = signing.configured_pair_paths()["root_path"]
    documents = [
        pdf.fee_statement_pdf(application=big_submission),
        pdf.use_plan_pdf(plan=plan),
        pdf.withdrawal_request_pdf(request=withdrawal),
    ]
    for data in documents:
        # when
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        (embedded,) = reader.embedded_signatures
        status = validate_pdf_signature(
            embedded, ValidationContext(trust_roots=[load_cert_from_pemder(str(root))])
        )
        # then
        assert status.bottom_line
        assert status.coverage.name == "ENTIRE_FILE"


# --- Who may download -----------------------------------------------------------------------------


@pytest.fixture
def urls(big_submission, plan, advance, user_a):
    withdrawal = _withdraw(advance, user_a, 1_000_000)
    return {
        "fee": reverse("applications:fee_statement_pdf", args=[big_submission.pk]),
        "plan": reverse("applications:use_plan_pdf", args=[advance.number]),
        "withdrawal": reverse("applications:withdrawal_pdf", args=[advance.number, withdrawal.sequence]),
    }


def test_the_owning_contractor_downloads_each_document(client, urls, user_a):
    client.force_login(user_a)
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"]
        assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("persona", ["anonymous", "user_b", "stranger", "reviewer"])
def test_everyone_else_gets_404_on_the_contractor_urls(client, urls, persona, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for url in urls.values():
        assert client.get(url).status_code == 404, url


def test_unknown_documents_are_404_like_others_documents(client, urls, user_a, advance, big_submission):
    client.force_login(user_a)
    unknown = [
        reverse("applications:fee_statement_pdf", args=[big_submission.pk + 1000]),
        reverse("applications:use_plan_pdf", args=["1070099999"]),
        reverse("applications:withdrawal_pdf", args=[advance.number, 99]),
    ]
    for url in unknown:
        assert client.get(url).status_code == 404, url


def test_a_draft_has_no_fee_statement_yet(client, draft, user_a):
    client.force_login(user_a)
    assert client.get(reverse("applications:fee_statement_pdf", args=[draft.pk])).status_code == 404
    page = client.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert "保証料計算書" not in page


def test_the_contractors_screens_link_to_the_documents(client, urls, user_a, big_submission, advance):
    client.force_login(user_a)
    detail = client.get(reverse("applications:detail", args=[big_submission.pk])).content.decode()
    assert urls["fee"] in detail
    plan_page = client.get(reverse("applications:use_plan", args=[advance.number])).content.decode()
    assert urls["plan"] in plan_page
    withdrawals = client.get(reverse("applications:withdrawals", args=[advance.number])).content.decode()
    assert urls["withdrawal"] in withdrawals


def test_staff_of_the_branch_download_in_admin_and_others_do_not(
    client, big_submission, plan, advance, user_a, reviewer, other_branch_reviewer
):
    # given
    withdrawal = _withdraw(advance, user_a, 1_000_000)
    for clerk in (reviewer, other_branch_reviewer):
        clerk.user_permissions.add(
            *Permission.objects.filter(codename__in=["view_advanceuseplan", "view_withdrawalrequest"])
        )
    admin_urls = [
        reverse("admin:applications_application_fee_statement", args=[big_submission.pk]),
        reverse("admin:applications_advanceuseplan_pdf", args=[plan.pk]),
        reverse("admin:applications_withdrawalrequest_pdf", args=[withdrawal.pk]),
    ]
    # then the branch's clerk gets each PDF, and the links are on the admin pages
    client.force_login(reviewer)
    for url in admin_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.startswith(b"%PDF-")
    page = client.get(reverse("admin:applications_application_change", args=[big_submission.pk]))
    assert admin_urls[0] in page.content.decode()
    listing = client.get(reverse("admin:applications_withdrawalrequest_changelist")).content.decode()
    assert admin_urls[2] in listing
    # and another branch's clerk gets 404, a contractor is sent to the admin login
    client.force_login(other_branch_reviewer)
    for url in admin_urls:
        assert client.get(url).status_code == 404, url
    client.force_login(user_a)
    for url in admin_urls:
        assert client.get(url).status_code == 302, url
