"""An advance's paperwork as signed PDFs: the 使途内訳明細書 and the 払出依頼書 as printed, the
signature, who may download."""
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

from advances import pdf, services
from advances.models import AdvanceUsePlan, WithdrawalRequest
from advances.services import UseRowInput, WithdrawalLineInput
from applications.services import drafts, review
from certificates import signing
from guarantees.formatting import to_wareki
from tests.applications.conftest import make_draft
from tests.factories import issue_guarantee
from tests.pdf.conftest import flat_text


def _text(data: bytes) -> str:
    """The page's text without line breaks or spaces (wrapping and 和暦 padding vary)."""
    return flat_text(data).replace(" ", "").replace("\u3000", "")


def _wareki(day: dt.date) -> str:
    return to_wareki(day).replace(" ", "")


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


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


def _pay(application, reviewer):
    review.application_review_start(application=application, clerk=reviewer)
    review.application_approve(application=application, clerk=reviewer)
    return review.application_fee_record(
        application=application, clerk=reviewer, amount=application.fee_amount, paid_on=dt.date(2026, 7, 1)
    )


# --- What is printed ------------------------------------------------------------------------------


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
    application = _pay(drafts.application_submit(application=draft, submitted_by=user_a), reviewer)
    guarantee = review.application_issue(application=application, clerk=reviewer).guarantee
    services.use_plan_save(guarantee=guarantee, user=user_a, rows=_plan_rows())
    request = _withdraw(guarantee, user_a, 1_000_000)
    # when
    text = _text(pdf.withdrawal_request_pdf(request=request))
    # then
    assert f"{guarantee.bank.name}{guarantee.bank.branch_name}御中" in text
    assert "普通預金1234567カ）アルファケンセツ" in text


def test_both_documents_carry_a_valid_signature_of_the_guarantor(plan, advance, user_a, time_machine):
    # given the two documents, signed now
    withdrawal = _withdraw(advance, user_a, 1_000_000)
    _sign_now(time_machine)
    for data in (pdf.use_plan_pdf(plan=plan), pdf.withdrawal_request_pdf(request=withdrawal)):
        # then
        _assert_signed_by_the_guarantor(data)


# --- Who may download -----------------------------------------------------------------------------


@pytest.fixture
def urls(plan, advance, user_a):
    withdrawal = _withdraw(advance, user_a, 1_000_000)
    return {
        "plan": reverse("advances:use_plan_pdf", args=[advance.number]),
        "withdrawal": reverse("advances:withdrawal_pdf", args=[advance.number, withdrawal.sequence]),
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


def test_unknown_documents_are_404_like_others_documents(client, urls, user_a, advance):
    client.force_login(user_a)
    unknown = [
        reverse("advances:use_plan_pdf", args=["1070099999"]),
        reverse("advances:withdrawal_pdf", args=[advance.number, 99]),
    ]
    for url in unknown:
        assert client.get(url).status_code == 404, url


def test_the_paperwork_screens_link_to_the_documents(client, urls, user_a, advance):
    client.force_login(user_a)
    plan_page = client.get(reverse("advances:use_plan", args=[advance.number])).content.decode()
    assert urls["plan"] in plan_page
    withdrawals = client.get(reverse("advances:withdrawals", args=[advance.number])).content.decode()
    assert urls["withdrawal"] in withdrawals


def test_staff_of_the_branch_download_in_admin_and_others_do_not(
    client, plan, advance, user_a, reviewer, other_branch_reviewer
):
    # given
    withdrawal = _withdraw(advance, user_a, 1_000_000)
    for clerk in (reviewer, other_branch_reviewer):
        clerk.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="advances",
                codename__in=["view_advanceuseplan", "view_withdrawalrequest"],
            )
        )
    admin_urls = [
        reverse("admin:advances_advanceuseplan_pdf", args=[plan.pk]),
        reverse("admin:advances_withdrawalrequest_pdf", args=[withdrawal.pk]),
    ]
    # then the branch's clerk gets each PDF, and the links are on the admin pages
    client.force_login(reviewer)
    for url in admin_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.startswith(b"%PDF-")
    listing = client.get(reverse("admin:advances_withdrawalrequest_changelist")).content.decode()
    assert admin_urls[1] in listing
    # and another branch's clerk gets 404, a contractor is sent to the admin login
    client.force_login(other_branch_reviewer)
    for url in admin_urls:
        assert client.get(url).status_code == 404, url
    client.force_login(user_a)
    for url in admin_urls:
        assert client.get(url).status_code == 302, url
