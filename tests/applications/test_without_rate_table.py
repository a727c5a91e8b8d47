"""A new production database has no rate table (the demo's 「デモ用の料率」 is loaded by ``seed_demo``
only): wherever a fee is quoted, the contractor and the clerk are told so in Japanese, and nothing
is submitted without a fee."""
# mypy: disable-error-code="union-attr"

import datetime as dt

import pytest
from django.urls import reverse

from applications.errors import ApplicationError
from applications.models import Application, FeeDiscount, FeeRate
from applications.services import drafts
from tests.factories import issue_guarantee

from .conftest import make_draft, pdf

pytestmark = pytest.mark.without_rate_table

NO_RATE = "保証料率が登録されていません。取扱支店にお問い合わせください。"


def test_the_migrations_bring_no_rate_table(db):
    assert not FeeRate.objects.exists()
    assert not FeeDiscount.objects.exists()


def test_the_live_quote_tells_the_contractor_to_ask_the_branch(client, user_a, orderer):
    client.force_login(user_a)
    response = client.get(
        reverse("applications:quote"), {"kind": "advance", "orderer": orderer.pk, "amount": "40,000,000"}
    )
    assert response.status_code == 200
    assert response.json() == {"ok": False, "message": NO_RATE}


def test_the_confirm_page_says_why_and_offers_no_submit_button(client, user_a, orderer, tokyo_branch):
    # given a complete draft, with nothing else to correct
    draft = make_draft(user_a, orderer, tokyo_branch)
    client.force_login(user_a)
    # when the contractor opens the confirm page
    page = client.get(reverse("applications:confirm", args=[draft.pk])).content.decode()
    # then it says that no rate is registered, and shows neither a fee nor the 申し込む button
    assert NO_RATE in page
    assert "申し込む" not in page
    assert "保証料（割引前）" not in page


def test_submitting_anyway_is_refused_with_the_same_message(client, user_a, orderer, tokyo_branch):
    draft = make_draft(user_a, orderer, tokyo_branch)
    client.force_login(user_a)
    response = client.post(reverse("applications:confirm", args=[draft.pk]), follow=True)
    assert NO_RATE in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == Application.State.DRAFT
    assert draft.fee_amount is None


def test_an_increase_is_refused_without_a_rate_while_a_decrease_costs_nothing(user_a, orderer, tokyo_branch):
    issued = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 6, 1)
    )

    def change(values: dict[str, object]) -> Application:
        application = drafts.application_create_change(user=user_a, guarantee=issued, purpose="change")
        application = drafts.application_save_draft(application=application, user=user_a, values=values)
        drafts.application_document_add(
            application=application, user=user_a, doc_type="contract", upload=pdf()
        )
        return drafts.application_submit(application=application, submitted_by=user_a)

    with pytest.raises(ApplicationError) as refused:
        change(
            {
                "change_type": "increase",
                "guarantee_amount": 48_000_000,
                "contract_amount_total": 120_000_000,
                "contract_amount_target": 120_000_000,
                "reason": "設計変更による増額",
            }
        )
    assert refused.value.code == "no_rate"
    assert refused.value.message == NO_RATE
    decrease = change({"change_type": "decrease", "guarantee_amount": 30_000_000, "reason": "減額"})
    assert (decrease.state, decrease.fee_amount) == (Application.State.SUBMITTED, 0)


def test_the_clerks_quote_says_no_rate_applies_and_how_to_register_one(client, reviewer, rate_manager):
    url = reverse("admin:applications_feerate_quote")
    query = {"kind": "advance", "orderer_kind": "national", "amount": "145,670,000", "on": "2026-07-01"}
    client.force_login(reviewer)
    page = client.get(url, query).content.decode()
    assert "この日に適用される保証料率がありません。" in page
    assert "保証契約者は申し込めません" in page
    assert reverse("admin:applications_feerate_add") not in page  # a reviewer may not add rates
    client.force_login(rate_manager)
    page = client.get(url, query).content.decode()
    assert reverse("admin:applications_feerate_add") in page
