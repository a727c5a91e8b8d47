"""A change application is checked on submission as its approval will check it: the whole resulting
guarantee, with one rule function; the form starts from the current values; before → after is shown
to the contractor and to the clerk."""
# mypy: disable-error-code="union-attr,operator"

import datetime as dt

import pytest
from django.urls import reverse

from advances import services as advance_services
from advances.services import UseRowInput, WithdrawalLineInput
from applications import changes
from applications.errors import ApplicationError
from applications.models import Application
from applications.services import drafts, review
from guarantees.models import Guarantee
from tests.factories import issue_guarantee

from .conftest import pdf

State = Application.State


@pytest.fixture
def issued(user_a, orderer, tokyo_branch):
    # 100,000,000 yen (総額 = 対象額), 40,000,000 yen of advance
    return issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 6, 1)
    )


def _draft_change(user, guarantee, values):
    application = drafts.application_create_change(user=user, guarantee=guarantee, purpose="change")
    application = drafts.application_save_draft(application=application, user=user, values=values)
    drafts.application_document_add(application=application, user=user, doc_type="contract", upload=pdf())
    return application


def test_a_decrease_with_the_target_amount_left_blank_is_refused_on_submission_with_the_approvals_message(
    issued, user_a
):
    # given a 減額 that lowers 総額 to 75,000,000 and leaves 対象額 blank (it stays 100,000,000)
    application = _draft_change(
        user_a,
        issued,
        {
            "change_type": "decrease",
            "guarantee_amount": 30_000_000,
            "contract_amount_total": 75_000_000,
            "reason": "設計変更による減額",
        },
    )
    # when the contractor submits
    with pytest.raises(ApplicationError) as refused:
        drafts.application_submit(application=application, submitted_by=user_a)
    # then it is refused now, with the message the approval would have given, on the change step
    assert refused.value.code == "target_exceeds_total"
    assert refused.value.message == "請負金額(対象額)は請負金額(総額)以下にしてください。"
    assert (refused.value.field, refused.value.step) == ("contract_amount_target", "change")
    application.refresh_from_db()
    assert application.state == State.DRAFT


def test_a_whole_decrease_passes_submission_and_its_approval_writes_what_was_shown(issued, user_a, reviewer):
    # given the same 減額 with 対象額 lowered too
    application = _draft_change(
        user_a,
        issued,
        {
            "change_type": "decrease",
            "guarantee_amount": 30_000_000,
            "contract_amount_total": 75_000_000,
            "contract_amount_target": 75_000_000,
            "reason": "設計変更による減額",
        },
    )
    shown = {line.label: line.after for line in changes.change_lines(application)}
    application = drafts.application_submit(application=application, submitted_by=user_a)
    review.application_review_start(application=application, clerk=reviewer)
    # when the clerk approves
    application = review.application_approve(application=application, clerk=reviewer)
    # then the guarantee is what before → after said
    assert application.state == State.ISSUED
    issued.refresh_from_db()
    assert shown["保証金額"] == issued.guarantee_amount == 30_000_000
    assert shown["請負金額(総額)"] == issued.contract_amount_total == 75_000_000
    assert shown["請負金額(対象額)"] == issued.contract_amount_target == 75_000_000


def test_an_extension_with_the_prefilled_period_still_moves_the_period_with_the_construction(
    issued, user_a, reviewer
):
    # given a 保証期限変更 posted from the prefilled form: the period end still holds today's value
    application = _draft_change(
        user_a,
        issued,
        {
            "change_type": "period",
            "construction_end": dt.date(2027, 6, 30),
            "guarantee_period_end": issued.guarantee_period_end,
            "guarantee_amount": issued.guarantee_amount,
            "reason": "工期延長",
        },
    )
    # then before → after shows the period following the construction (注2)
    after = {line.label: line.after for line in changes.change_lines(application)}
    assert after["保証期限"] == dt.date(2027, 6, 30)
    application = drafts.application_submit(application=application, submitted_by=user_a)
    review.application_review_start(application=application, clerk=reviewer)
    review.application_approve(application=application, clerk=reviewer)
    issued.refresh_from_db()
    assert issued.guarantee_period_end == dt.date(2027, 6, 30)


def test_a_decrease_below_what_was_already_paid_out_is_refused_on_submission(issued, user_a):
    # given 30,000,000 yen already requested out of the 40,000,000 advance
    advance_services.use_plan_save(
        guarantee=issued,
        user=user_a,
        rows=[UseRowInput(category="materials", advance_use=40_000_000, payout_method="transfer")],
    )
    advance_services.withdrawal_request_create(
        guarantee=issued,
        user=user_a,
        requested_on=dt.date(2026, 7, 1),
        lines=[WithdrawalLineInput(category="materials", payee="株式会社九州生コン", amount=30_000_000)],
    )
    application = _draft_change(
        user_a, issued, {"change_type": "decrease", "guarantee_amount": 20_000_000, "reason": "減額"}
    )
    with pytest.raises(ApplicationError) as refused:
        drafts.application_submit(application=application, submitted_by=user_a)
    assert refused.value.code == "below_withdrawn"
    assert "30,000,000円" in refused.value.message


def test_the_change_form_starts_from_the_current_values_with_separators(client, issued, user_a):
    application = drafts.application_create_change(user=user_a, guarantee=issued, purpose="change")
    client.force_login(user_a)
    page = client.get(reverse("applications:step", args=[application.pk, "change"])).content.decode()
    assert 'name="guarantee_amount" value="40,000,000"' in page
    assert 'name="contract_amount_total" value="100,000,000"' in page
    assert 'name="contract_amount_target" value="100,000,000"' in page
    assert f'name="construction_end" value="{issued.construction_end_date:%Y-%m-%d}"' in page
    assert f'name="guarantee_period_end" value="{issued.guarantee_period_end:%Y-%m-%d}"' in page


def test_the_confirm_page_shows_before_and_after_and_the_problem(client, issued, user_a):
    application = _draft_change(
        user_a,
        issued,
        {
            "change_type": "decrease",
            "guarantee_amount": 30_000_000,
            "contract_amount_total": 75_000_000,
            "reason": "減額",
        },
    )
    client.force_login(user_a)
    page = client.get(reverse("applications:confirm", args=[application.pk])).content.decode()
    assert "変更前 → 変更後" in page
    assert "40,000,000円" in page
    assert "30,000,000円" in page
    assert "請負金額(対象額)は請負金額(総額)以下にしてください。" in page
    assert "申し込む</button>" not in page


def test_the_clerks_approval_page_shows_before_and_after(client, issued, user_a, reviewer):
    application = _draft_change(
        user_a,
        issued,
        {
            "change_type": "decrease",
            "guarantee_amount": 30_000_000,
            "contract_amount_total": 75_000_000,
            "contract_amount_target": 75_000_000,
            "reason": "減額",
        },
    )
    application = drafts.application_submit(application=application, submitted_by=user_a)
    review.application_review_start(application=application, clerk=reviewer)
    client.force_login(reviewer)
    page = client.get(
        reverse("admin:applications_application_approve", args=[application.pk])
    ).content.decode()
    assert "変更前 → 変更後" in page
    assert "<strong>30,000,000円</strong>" in page
    assert "<strong>75,000,000円</strong>" in page
    detail = client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    ).content.decode()
    assert "<strong>30,000,000円</strong>" in detail
    assert Guarantee.objects.get(pk=issued.pk).guarantee_amount == 40_000_000
