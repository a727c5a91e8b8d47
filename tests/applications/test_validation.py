"""Submission is refused with a clear Japanese message for every rule, and nothing is stored."""
# mypy: disable-error-code="union-attr,operator"

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from applications import rules
from applications.errors import ApplicationError
from applications.models import Application, ApplicationDocument
from applications.rules import interim_midpoint
from applications.services import drafts
from guarantees.models import GuaranteeKind
from tests.factories import issue_guarantee

from .conftest import make_draft, pdf


def _codes(application):
    return {problem.code for problem in rules.submission_problems(application, today=dt.date(2026, 7, 1))}


def _refused_with(application, user, code):
    with pytest.raises(ApplicationError) as refused:
        drafts.application_submit(application=application, submitted_by=user)
    application.refresh_from_db()
    assert application.state == Application.State.DRAFT
    assert application.fee_amount is None
    assert code in _codes(application)
    return refused.value


def test_an_empty_draft_lists_every_missing_item_in_japanese(user_a):
    application = drafts.application_create(user=user_a, kind=GuaranteeKind.ADVANCE)
    problems = rules.submission_problems(application, today=dt.date(2026, 7, 1))
    codes = {problem.code for problem in problems}
    assert {
        "branch_required",
        "orderer_required",
        "work_name_required",
        "contract_date_required",
        "total_required",
        "amount_required",
        "bank_required",
        "account_number_invalid",
        "contract_document_required",
    } <= codes
    assert all(problem.step for problem in problems)
    assert all("ください" in problem.message for problem in problems)


def test_an_advance_above_four_tenths_of_the_target_is_refused(user_a, orderer, tokyo_branch):
    application = make_draft(user_a, orderer, tokyo_branch, guarantee_amount=40_000_001)
    error = _refused_with(application, user_a, "advance_too_large")
    assert "10分の4以内" in error.message
    assert "40,000,000円" in error.message


def test_a_multi_year_work_uses_the_target_amount_and_needs_it(user_a, orderer, tokyo_branch):
    application = make_draft(
        user_a,
        orderer,
        tokyo_branch,
        multi_year=True,
        contract_amount_target=None,
        guarantee_amount=10_000_000,
    )
    _refused_with(application, user_a, "target_required")
    application = drafts.application_save_draft(
        application=application, user=user_a, values={"contract_amount_target": 20_000_000}
    )
    assert "advance_too_large" in _codes(application)  # 10,000,000 > 4/10 of 20,000,000
    drafts.application_save_draft(
        application=application, user=user_a, values={"guarantee_amount": 8_000_000}
    )
    submitted = drafts.application_submit(application=application, submitted_by=user_a)
    assert (submitted.contract_amount_total, submitted.contract_amount_target) == (100_000_000, 20_000_000)


def test_a_target_above_the_total_is_refused(user_a, orderer, tokyo_branch):
    application = make_draft(
        user_a, orderer, tokyo_branch, multi_year=True, contract_amount_target=100_000_001, guarantee_amount=1
    )
    _refused_with(application, user_a, "target_exceeds_total")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"contract_date": dt.date(2026, 7, 2)}, "contract_date_in_future"),
        ({"construction_start": dt.date(2026, 6, 19)}, "start_before_contract"),
        ({"guarantee_period_end": dt.date(2027, 3, 16)}, "period_after_construction"),
        (
            {
                "contract_date": dt.date(2025, 4, 1),
                "construction_start": dt.date(2025, 4, 2),
                "construction_end": dt.date(2026, 6, 30),
            },
            "period_over",
        ),
        ({"work_name": "  "}, "work_name_required"),
        ({"work_place": ""}, "work_place_required"),
        ({"account_number": "123456"}, "account_number_invalid"),
        ({"account_holder": ""}, "account_holder_required"),
    ],
)
def test_dates_and_details_are_checked(user_a, orderer, tokyo_branch, overrides, code):
    application = make_draft(user_a, orderer, tokyo_branch, **overrides)
    _refused_with(application, user_a, code)


def test_a_construction_period_that_ends_before_it_starts_is_refused_even_in_a_draft(draft, user_a):
    with pytest.raises(ApplicationError) as refused:
        drafts.application_save_draft(
            application=draft, user=user_a, values={"construction_end": dt.date(2026, 6, 20)}
        )
    assert refused.value.code == "end_before_start"
    draft.refresh_from_db()
    assert draft.construction_end == dt.date(2027, 3, 15)


def test_a_contract_guarantee_below_one_tenth_is_refused(user_a, orderer, tokyo_branch):
    application = make_draft(
        user_a,
        orderer,
        tokyo_branch,
        kind=GuaranteeKind.CONTRACT,
        guarantee_amount=9_999_999,
        advance_planned=True,
    )
    error = _refused_with(application, user_a, "contract_too_small")
    assert "10分の1以上" in error.message


def test_a_contract_rider_needs_a_planned_advance(user_a, orderer, tokyo_branch):
    application = make_draft(
        user_a, orderer, tokyo_branch, kind=GuaranteeKind.CONTRACT, guarantee_amount=10_000_000, bank=None
    )
    error = _refused_with(application, user_a, "contract_needs_advance")
    assert "前払金を予定する工事に限ります" in error.message


def test_a_contract_rider_may_go_together_with_the_advance_application(user_a, orderer, tokyo_branch):
    # given the advance application and a rider linked to it
    advance = make_draft(user_a, orderer, tokyo_branch)
    rider = make_draft(
        user_a,
        orderer,
        tokyo_branch,
        kind=GuaranteeKind.CONTRACT,
        guarantee_amount=10_000_000,
        parent_application=advance,
    )
    # when / then the rider needs no account and is accepted
    submitted = drafts.application_submit(application=rider, submitted_by=user_a)
    assert submitted.state == Application.State.SUBMITTED
    assert submitted.fee_amount == 3_000  # 10,000,000 × 0.03%, no e-Net discount on riders


def test_a_contract_rider_on_another_orderers_advance_is_refused(user_a, orderer, tokyo_branch):
    other_advance = issue_guarantee(contractor=user_a.contractor)
    rider = make_draft(
        user_a,
        orderer,
        tokyo_branch,
        kind=GuaranteeKind.CONTRACT,
        guarantee_amount=10_000_000,
        parent_guarantee=other_advance,
    )
    _refused_with(rider, user_a, "parent_mismatch")


def _interim(user_a, orderer, tokyo_branch, **overrides):
    advance = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, concluded_on=dt.date(2026, 1, 10)
    )
    values = {
        "parent_guarantee": advance,
        "contract_date": dt.date(2026, 1, 5),
        "construction_start": dt.date(2026, 1, 6),
        "construction_end": dt.date(2026, 12, 20),
        "guarantee_amount": 20_000_000,
        "progress_amount": 50_000_000,
    }
    values.update(overrides)
    return make_draft(user_a, orderer, tokyo_branch, kind=GuaranteeKind.INTERIM_ADVANCE, **values)


def test_an_interim_advance_after_half_the_period_with_half_the_work_done_is_accepted(
    user_a, orderer, tokyo_branch
):
    application = _interim(user_a, orderer, tokyo_branch)
    submitted = drafts.application_submit(application=application, submitted_by=user_a)
    assert submitted.fee_amount == 13_000  # 20,000,000 × 0.065%, flat


def test_an_interim_advance_before_half_the_period_is_refused(user_a, orderer, tokyo_branch):
    application = _interim(user_a, orderer, tokyo_branch, construction_end=dt.date(2027, 3, 31))
    error = _refused_with(application, user_a, "interim_too_early")
    assert "2分の1を経過" in error.message


def test_an_interim_advance_with_less_than_half_the_work_done_is_refused(user_a, orderer, tokyo_branch):
    application = _interim(user_a, orderer, tokyo_branch, progress_amount=49_999_999)
    error = _refused_with(application, user_a, "progress_below_half")
    assert "50,000,000円" in error.message


def test_an_interim_advance_needs_the_orderers_certification_and_its_advance(user_a, orderer, tokyo_branch):
    application = _interim(user_a, orderer, tokyo_branch)
    application.documents.all().delete()
    _refused_with(application, user_a, "certification_document_required")
    application = drafts.application_save_draft(
        application=application, user=user_a, values={"parent_guarantee": None}
    )
    _refused_with(application, user_a, "interim_needs_advance")


def test_an_interim_advance_above_two_tenths_is_refused(user_a, orderer, tokyo_branch):
    application = _interim(user_a, orderer, tokyo_branch, guarantee_amount=20_000_001)
    _refused_with(application, user_a, "interim_too_large")


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 1, 1)), st.integers(0, 2000))
def test_the_interim_midpoint_is_never_before_half_the_period(start, days):
    end = start + dt.timedelta(days=days)
    midpoint = interim_midpoint(start, end)
    assert start <= midpoint <= end
    assert (midpoint - start).days * 2 >= days
    assert (midpoint - start).days * 2 <= days + 1


def test_required_documents_follow_the_kind(user_a):
    advance = Application(purpose="new", kind=GuaranteeKind.ADVANCE)
    interim = Application(purpose="new", kind=GuaranteeKind.INTERIM_ADVANCE)
    cancel = Application(purpose="cancel", kind=GuaranteeKind.ADVANCE)
    assert rules.required_documents(advance) == [ApplicationDocument.DocType.CONTRACT]
    assert rules.required_documents(interim) == [ApplicationDocument.DocType.CERTIFICATION]
    assert rules.required_documents(cancel) == []


def test_an_upload_replaced_after_return_is_what_the_clerk_sees(user_a, orderer, tokyo_branch):
    application = make_draft(user_a, orderer, tokyo_branch, upload=False)
    document = drafts.application_document_add(
        application=application, user=user_a, doc_type="contract", upload=pdf("old.pdf")
    )
    drafts.application_document_remove(document=document, user=user_a)
    drafts.application_document_add(
        application=application, user=user_a, doc_type="contract", upload=pdf("new.pdf")
    )
    assert list(application.documents.values_list("original_name", flat=True)) == ["new.pdf"]
