"""Changes (増額・減額・保証期限変更) and 解約 of an issued guarantee, applied on approval."""
# mypy: disable-error-code="union-attr,operator"

import datetime as dt

import pytest

from applications.errors import ApplicationError
from applications.models import Application
from applications.services import drafts, review
from certificates.models import Certificate
from guarantees.models import AuditEvent, Guarantee
from tests.factories import issue_guarantee

from .conftest import pdf

State = Application.State


@pytest.fixture
def issued(user_a, orderer, tokyo_branch):
    return issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 6, 1)
    )


def _change(user, guarantee, values, *, purpose="change", upload=True):
    application = drafts.application_create_change(user=user, guarantee=guarantee, purpose=purpose)
    application = drafts.application_save_draft(application=application, user=user, values=values)
    if upload:
        drafts.application_document_add(application=application, user=user, doc_type="contract", upload=pdf())
    return drafts.application_submit(application=application, submitted_by=user)


def _review_and_approve(application, reviewer):
    review.application_review_start(application=application, clerk=reviewer)
    return review.application_approve(application=application, clerk=reviewer)


def test_an_increase_charges_the_difference_then_issues_a_changed_version(issued, user_a, reviewer):
    # given an increase from 40,000,000 to 40,000,000 + contract raised to 120,000,000
    application = _change(
        user_a,
        issued,
        {
            "change_type": "increase",
            "guarantee_amount": 48_000_000,
            "contract_amount_total": 120_000_000,
            "contract_amount_target": 120_000_000,
            "reason": "設計変更による増額",
        },
    )
    # then the fee is the fee of the new amount less that of the old (no discount): 28,800 − 24,000
    assert application.fee_amount == 4_800
    application = _review_and_approve(application, reviewer)
    assert application.state == State.AWAITING_FEE
    review.application_fee_record(
        application=application, clerk=reviewer, amount=4_800, paid_on=dt.date(2026, 7, 1)
    )
    # when
    application = review.application_issue(application=application, clerk=reviewer)
    # then the foundation's rule issued version 2 (変更)
    issued.refresh_from_db()
    assert issued.guarantee_amount == 48_000_000
    latest = Certificate.objects.filter(guarantee=issued).order_by("-version").first()
    assert (latest.version, latest.is_change) == (2, True)
    assert application.state_label == "変更済"
    assert "第2版(変更)" in application.outcome_note


def test_a_decrease_costs_nothing_and_is_applied_on_approval(issued, user_a, reviewer):
    application = _change(
        user_a, issued, {"change_type": "decrease", "guarantee_amount": 30_000_000, "reason": "減額"}
    )
    assert application.fee_amount == 0
    application = _review_and_approve(application, reviewer)
    assert application.state == State.ISSUED
    issued.refresh_from_db()
    assert issued.guarantee_amount == 30_000_000
    assert Certificate.objects.filter(guarantee=issued).count() == 2
    assert list(application.transitions.values_list("event", flat=True))[-2:] == ["approved", "applied"]


def test_an_extension_of_the_construction_period_issues_no_new_version(issued, user_a, reviewer):
    application = _change(
        user_a,
        issued,
        {"change_type": "period", "construction_end": dt.date(2027, 6, 30), "reason": "工期延長"},
    )
    application = _review_and_approve(application, reviewer)
    issued.refresh_from_db()
    assert issued.guarantee_period_end == dt.date(2027, 6, 30)
    assert Certificate.objects.filter(guarantee=issued).count() == 1
    assert "変更の保証証書は発行しません" in application.outcome_note


def test_an_increase_must_increase_and_a_decrease_must_decrease(issued, user_a):
    for change_type, amount, code in (
        ("increase", 40_000_000, "not_an_increase"),
        ("decrease", 40_000_000, "not_a_decrease"),
        ("increase", 40_000_001, "advance_too_large"),
    ):
        with pytest.raises(ApplicationError) as refused:
            _change(user_a, issued, {"change_type": change_type, "guarantee_amount": amount, "reason": "x"})
        assert refused.value.code == code


def test_only_one_change_may_be_open_per_guarantee(issued, user_a):
    _change(user_a, issued, {"change_type": "decrease", "guarantee_amount": 30_000_000, "reason": "減額"})
    with pytest.raises(ApplicationError) as refused:
        _change(user_a, issued, {"change_type": "decrease", "guarantee_amount": 20_000_000, "reason": "減額"})
    assert refused.value.code == "change_pending"


def test_a_contractor_cannot_ask_to_change_anothers_guarantee(issued, user_b):
    with pytest.raises(ApplicationError) as refused:
        drafts.application_create_change(user=user_b, guarantee=issued, purpose="change")
    assert refused.value.code == "not_owner"


def test_a_cancellation_needs_a_reason_and_no_document(issued, user_a):
    with pytest.raises(ApplicationError) as refused:
        _change(user_a, issued, {"reason": " "}, purpose="cancel", upload=False)
    assert refused.value.code == "reason_required"


@pytest.mark.django_db(transaction=True)
def test_approving_a_cancellation_ends_the_guarantee_in_the_same_real_transaction(
    user_a, orderer, tokyo_branch, reviewer
):
    # given (outside a test transaction, so durable blocks are really checked) an issued guarantee
    guarantee = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 6, 1)
    )
    application = _change(user_a, guarantee, {"reason": "工事の中止"}, purpose="cancel", upload=False)
    # when
    application = _review_and_approve(application, reviewer)
    # then
    guarantee.refresh_from_db()
    assert guarantee.status == Guarantee.Status.CANCELLED
    assert application.state_label == "解約済"
    assert AuditEvent.objects.filter(
        guarantee=guarantee, action="guarantee.cancelled", actor=reviewer
    ).exists()
