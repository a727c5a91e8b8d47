"""Every date a person types has one range (平成元年1月8日 to ten years ahead) with a Japanese
message; a date already stored outside the eras still prints (和暦 fails soft, never a 500)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from advances import forms as advance_forms
from advances import services as advance_services
from advances.models import WithdrawalRequest
from advances.services import UseRowInput
from applications import forms as application_forms
from applications.admin.rates import QuoteForm
from certificates.forms import GuaranteeChangeForm
from guarantees.admin import EndGuaranteeForm
from guarantees.fields import EARLIEST_DATE, BusinessDateField, latest_date, validate_business_date
from guarantees.formatting import to_wareki
from guarantees.models import Guarantee, Orderer
from tests.factories import issue_guarantee

TODAY = dt.datetime(2026, 7, 1, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
SLIPS = ["1800-01-01", "0001-01-01", "1989-01-07", "2036-07-02", "9999-12-31"]
RANGE_MESSAGE = "日付は 1989/01/08 から 2036/07/01 までの範囲で入力してください"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_the_range_runs_from_the_first_day_of_heisei_to_ten_years_ahead():
    assert dt.date(1989, 1, 8) == EARLIEST_DATE
    assert latest_date() == dt.date(2036, 7, 1)
    assert latest_date(today=dt.date(2028, 2, 29)) == dt.date(2038, 2, 28)
    validate_business_date(EARLIEST_DATE)
    validate_business_date(latest_date())


@pytest.mark.parametrize("typed", SLIPS)
def test_a_date_outside_the_range_is_refused_with_a_japanese_message(typed):
    field = BusinessDateField()
    with pytest.raises(ValidationError) as refused:
        field.clean(typed)
    assert RANGE_MESSAGE in str(refused.value)


def test_a_date_picker_offers_only_the_range():
    html = str(application_forms.WorkStepForm()["contract_date"])
    assert 'min="1989-01-08"' in html
    assert 'max="2036-07-01"' in html


@pytest.mark.parametrize("typed", SLIPS)
@pytest.mark.parametrize(
    "name", ["contract_date", "construction_start", "construction_end", "guarantee_period_end"]
)
def test_the_applications_four_dates_refuse_a_slip(name, typed):
    form = application_forms.WorkStepForm({name: typed})
    assert not form.is_valid()
    assert RANGE_MESSAGE in form.errors[name][0]


@pytest.mark.parametrize(
    ("form", "name"),
    [
        (lambda data: advance_forms.WithdrawalForm(data), "requested_on"),
        (lambda data: application_forms.FeePaymentForm(dict(data, amount="1000")), "paid_on"),
        (lambda data: QuoteForm(dict(data, kind="advance", orderer_kind="municipal", amount="1000")), "on"),
        (lambda data: EndGuaranteeForm(dict(data, reason="完成")), "on"),
    ],
    ids=["withdrawal", "fee_payment", "admin_quote", "admin_end_guarantee"],
)
def test_paperwork_and_staff_forms_refuse_a_slip(form, name):
    bound = form({name: "1800-01-01"})
    assert not bound.is_valid()
    assert RANGE_MESSAGE in bound.errors[name][0]


@pytest.mark.django_db
def test_the_staffs_change_form_refuses_a_slip(contractor_a, orderer):
    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer)
    form = GuaranteeChangeForm(
        {"construction_end_date": "0001-01-01", "reason": "工期延長"}, guarantee=guarantee
    )
    assert not form.is_valid()
    assert RANGE_MESSAGE in form.errors["construction_end_date"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Guarantee, Orderer])
def test_admin_forms_of_guarantees_use_the_range_for_every_date(model, head_office):
    request = RequestFactory().get("/")
    request.user = head_office
    form_class = admin.site._registry[model].get_form(request)
    dates = [name for name, field in form_class.base_fields.items() if isinstance(field, BusinessDateField)]
    assert dates
    form = form_class({name: "1800-01-01" for name in dates})
    form.is_valid()
    for name in dates:
        assert RANGE_MESSAGE in form.errors[name][0]


def _advance_with_plan(user):
    advance = issue_guarantee(contractor=user.contractor, concluded_on=dt.date(2026, 6, 1))
    advance_services.use_plan_save(
        guarantee=advance,
        user=user,
        rows=[UseRowInput(category="labour", advance_use=40_000_000, payout_method="transfer")],
    )
    return advance


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1800-01-01", "0001-01-01"])
def test_a_withdrawal_dated_1800_is_refused_on_the_page_and_nothing_is_stored(client, user_a, typed):
    advance = _advance_with_plan(user_a)
    client.force_login(user_a)
    data = {
        "requested_on": typed,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-category": "labour",
        "lines-0-payee": "山田工業",
        "lines-0-amount": "1,000,000",
    }
    response = client.post(reverse("advances:withdrawals", args=[advance.number]), data)
    assert response.status_code in {200, 400}
    assert RANGE_MESSAGE in response.content.decode()
    assert not WithdrawalRequest.objects.exists()


def test_wareki_of_a_date_before_the_eras_prints_the_western_year_instead_of_failing():
    assert to_wareki(dt.date(1800, 1, 1)) == "1800年 1月 1日"
    assert to_wareki(dt.date(1, 1, 1)) == "1年 1月 1日"
    assert to_wareki(dt.date(1989, 1, 8)) == "平成元年 1月 8日"


@pytest.mark.django_db
def test_the_pdf_of_a_withdrawal_stored_with_an_out_of_era_date_still_downloads(client, user_a):
    # given a 払出依頼書 stored before the range existed, dated 1800-01-01
    advance = _advance_with_plan(user_a)
    withdrawal = advance_services.withdrawal_request_create(
        guarantee=advance,
        user=user_a,
        requested_on=dt.date(1800, 1, 1),
        lines=[advance_services.WithdrawalLineInput(category="labour", payee="山田工業", amount=1_000_000)],
    )
    client.force_login(user_a)

    # when the contractor downloads its PDF
    response = client.get(reverse("advances:withdrawal_pdf", args=[advance.number, withdrawal.sequence]))

    # then it is a PDF, not the error page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
