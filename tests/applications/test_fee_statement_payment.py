"""The 保証料計算書 says how to pay while the fee is unpaid: to the branch's account, by its due date,
with the number that lets the branch match the transfer."""
# mypy: disable-error-code="union-attr"

import datetime as dt
import io

import pypdf
import pytest

from applications import pdf
from applications.services import drafts, review
from tests.pdf.conftest import flat_text

from .conftest import make_draft

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    return flat_text(data).replace(" ", "").replace("\u3000", "")


@pytest.fixture
def approved(user_a, orderer, tokyo_branch, reviewer):
    draft = make_draft(user_a, orderer, tokyo_branch, contract_amount_total=400_000_000)
    submitted = drafts.application_submit(application=draft, submitted_by=user_a)
    review.application_review_start(application=submitted, clerk=reviewer)
    return review.application_approve(application=submitted, clerk=reviewer)


def test_an_unpaid_statement_says_how_to_pay_with_the_application_number_as_reference(approved):
    # when the statement of an approved, unpaid application is printed
    data = pdf.fee_statement_pdf(application=approved)
    text = _text(data)
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 1  # the instructions still fit one A4 page

    # then it names the application number and says where, by when and with what reference to pay
    assert f"申込番号{approved.pk}" in text
    assert "保証料のお支払い方法" in text
    assert f"保証料{approved.fee_amount:,}円を、取扱支店からご案内する振込先口座へ" in text
    assert "ご案内のお支払期日までにお振り込みください。" in text
    assert f"申込番号「{approved.pk}」に続けて貴社名を入力してください" in text
    assert "ご入金を確認したのち、証書を発行します。" in text


def test_a_paid_statement_no_longer_asks_for_payment(approved, reviewer):
    # given the payment recorded
    paid = review.application_fee_record(
        application=approved, clerk=reviewer, amount=approved.fee_amount, paid_on=dt.date(2026, 7, 1)
    )
    # when printed again, then it shows the payment and no instructions
    text = _text(pdf.fee_statement_pdf(application=paid))
    assert "入金確認済" in text
    assert "保証料のお支払い方法" not in text
    assert "お振り込みください" not in text
