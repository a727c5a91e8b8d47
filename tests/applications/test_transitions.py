"""Every transition of an application, who may make it, and that no state can be skipped."""
# mypy: disable-error-code="union-attr,operator"

import datetime as dt

import pytest

from applications.errors import ApplicationError
from applications.models import Application, ApplicationTransition
from applications.services import drafts, review
from authkeys.models import AuthKey
from certificates.models import Certificate
from guarantees.models import AuditEvent, Guarantee

State = Application.State


def _to_review(application, reviewer):
    return review.application_review_start(application=application, clerk=reviewer)


def _to_awaiting_fee(application, reviewer):
    _to_review(application, reviewer)
    return review.application_approve(application=application, clerk=reviewer)


def test_submitting_a_complete_draft_quotes_the_fee_and_records_who_and_when(draft, user_a):
    # when
    application = drafts.application_submit(application=draft, submitted_by=user_a)
    # then 40,000,000 yen under the demo national table: 40,000,000 × 0.06% − 200
    assert application.state == State.SUBMITTED
    assert (application.fee_base, application.fee_discount, application.fee_amount) == (24_000, 200, 23_800)
    assert application.fee_quoted_on == dt.date(2026, 7, 1)
    assert application.contract_amount_target == 100_000_000
    step = application.transitions.last()
    assert (step.event, step.from_state, step.to_state, step.actor) == (
        "submitted",
        "draft",
        "submitted",
        user_a,
    )


def test_the_whole_path_issues_number_certificate_and_key_in_one_step(submitted, reviewer):
    # given an approved application whose fee is paid
    _to_awaiting_fee(submitted, reviewer)
    review.application_fee_record(
        application=submitted, clerk=reviewer, amount=23_800, paid_on=dt.date(2026, 7, 1)
    )
    # when
    application = review.application_issue(application=submitted, clerk=reviewer)
    # then
    guarantee = application.guarantee
    assert application.state == State.ISSUED
    assert guarantee.number.startswith("10700")
    assert guarantee.medium == Guarantee.Medium.ELECTRONIC
    assert guarantee.concluded_on == dt.date(2026, 7, 1)
    assert guarantee.guarantee_period_end == dt.date(2027, 3, 15)
    assert Certificate.objects.get(guarantee=guarantee).version == 1
    assert AuthKey.objects.filter(guarantee=guarantee, revoked_at__isnull=True).count() == 1
    assert set(AuditEvent.objects.filter(guarantee=guarantee).values_list("action", flat=True)) == {
        "guarantee.registered",
        "certificate.issued",
        "authkey.issued",
    }
    assert list(application.transitions.values_list("event", flat=True)) == [
        "created",
        "submitted",
        "review_started",
        "approved",
        "fee_recorded",
        "issued",
    ]
    assert all(step.actor_id for step in application.transitions.all())


def test_a_returned_application_is_editable_shows_the_comment_and_can_be_resubmitted(
    submitted, reviewer, user_a
):
    # given
    _to_review(submitted, reviewer)
    # when the clerk returns it with a comment
    returned_to_contractor = review.application_return(
        application=submitted, clerk=reviewer, comment="契約書の写しが不鮮明です。"
    )
    # then the contractor can edit it and resubmit
    assert returned_to_contractor.is_editable
    drafts.application_save_draft(application=submitted, user=user_a, values={"work_place": "東京都港区"})
    application = drafts.application_submit(application=submitted, submitted_by=user_a)
    assert application.state == State.SUBMITTED
    assert application.transitions.last().event == "resubmitted"
    returned = application.transitions.get(event="returned")
    assert (returned.comment, returned.actor) == ("契約書の写しが不鮮明です。", reviewer)


def test_a_return_needs_a_comment_and_a_refusal_a_reason(submitted, reviewer):
    _to_review(submitted, reviewer)
    with pytest.raises(ApplicationError) as returned:
        review.application_return(application=submitted, clerk=reviewer, comment="  ")
    with pytest.raises(ApplicationError) as refused:
        review.application_refuse(application=submitted, clerk=reviewer, reason="")
    assert (returned.value.code, refused.value.code) == ("comment_required", "reason_required")
    submitted.refresh_from_db()
    assert submitted.state == State.IN_REVIEW


def test_a_refused_application_is_closed(submitted, reviewer, user_a):
    _to_review(submitted, reviewer)
    review.application_refuse(application=submitted, clerk=reviewer, reason="与信枠を超えています。")
    with pytest.raises(ApplicationError) as resubmit:
        drafts.application_submit(application=submitted, submitted_by=user_a)
    with pytest.raises(ApplicationError) as edit:
        drafts.application_save_draft(application=submitted, user=user_a, values={"work_name": "x"})
    assert resubmit.value.code == "invalid_state"
    assert edit.value.code == "not_editable"


@pytest.mark.parametrize(
    ("action", "state_before"),
    [
        ("review_start", State.DRAFT),
        ("approve", State.SUBMITTED),
        ("return", State.SUBMITTED),
        ("refuse", State.SUBMITTED),
        ("fee_record", State.IN_REVIEW),
        ("issue", State.IN_REVIEW),
        ("issue", State.SUBMITTED),
        ("submit", State.IN_REVIEW),
        ("approve", State.AWAITING_FEE),
    ],
)
def test_no_state_can_be_skipped(action, state_before, draft, user_a, reviewer):
    # given an application brought honestly to state_before
    if state_before != State.DRAFT:
        drafts.application_submit(application=draft, submitted_by=user_a)
    if state_before in (State.IN_REVIEW, State.AWAITING_FEE):
        _to_review(draft, reviewer)
    if state_before == State.AWAITING_FEE:
        review.application_approve(application=draft, clerk=reviewer)
    steps_before = ApplicationTransition.objects.filter(application=draft).count()
    calls = {
        "review_start": lambda: review.application_review_start(application=draft, clerk=reviewer),
        "approve": lambda: review.application_approve(application=draft, clerk=reviewer),
        "return": lambda: review.application_return(application=draft, clerk=reviewer, comment="x"),
        "refuse": lambda: review.application_refuse(application=draft, clerk=reviewer, reason="x"),
        "fee_record": lambda: review.application_fee_record(
            application=draft, clerk=reviewer, amount=23_800, paid_on=dt.date(2026, 7, 1)
        ),
        "issue": lambda: review.application_issue(application=draft, clerk=reviewer),
        "submit": lambda: drafts.application_submit(application=draft, submitted_by=user_a),
    }
    # when / then
    with pytest.raises(ApplicationError) as refused:
        calls[action]()
    assert refused.value.code == "invalid_state"
    assert "のため" in refused.value.message
    draft.refresh_from_db()
    assert draft.state == state_before
    assert ApplicationTransition.objects.filter(application=draft).count() == steps_before


def test_issue_is_refused_until_the_fee_is_recorded(submitted, reviewer):
    _to_awaiting_fee(submitted, reviewer)
    with pytest.raises(ApplicationError) as refused:
        review.application_issue(application=submitted, clerk=reviewer)
    assert refused.value.code == "fee_not_paid"
    assert not Guarantee.objects.exists()


def test_the_recorded_payment_must_match_the_quote_and_not_be_in_the_future(submitted, reviewer):
    _to_awaiting_fee(submitted, reviewer)
    with pytest.raises(ApplicationError) as wrong_amount:
        review.application_fee_record(
            application=submitted, clerk=reviewer, amount=24_000, paid_on=dt.date(2026, 7, 1)
        )
    with pytest.raises(ApplicationError) as future:
        review.application_fee_record(
            application=submitted, clerk=reviewer, amount=23_800, paid_on=dt.date(2026, 7, 2)
        )
    with pytest.raises(ApplicationError) as before:
        review.application_fee_record(
            application=submitted, clerk=reviewer, amount=23_800, paid_on=dt.date(2026, 6, 30)
        )
    assert (wrong_amount.value.code, future.value.code, before.value.code) == (
        "fee_mismatch",
        "paid_in_future",
        "paid_before_submission",
    )
    assert "23,800円" in wrong_amount.value.message
    review.application_fee_record(
        application=submitted, clerk=reviewer, amount=23_800, paid_on=dt.date(2026, 7, 1)
    )
    with pytest.raises(ApplicationError) as twice:
        review.application_fee_record(
            application=submitted, clerk=reviewer, amount=23_800, paid_on=dt.date(2026, 7, 1)
        )
    assert twice.value.code == "fee_already_recorded"


def test_a_clerk_of_another_branch_cannot_review(submitted, other_branch_reviewer):
    with pytest.raises(ApplicationError) as refused:
        review.application_review_start(application=submitted, clerk=other_branch_reviewer)
    assert refused.value.code == "not_clerk"


def test_a_staff_user_without_the_review_permission_cannot_review(submitted, branch_clerk):
    with pytest.raises(ApplicationError) as refused:
        review.application_review_start(application=submitted, clerk=branch_clerk)
    assert refused.value.code == "not_clerk"


def test_another_contractor_cannot_edit_or_submit(draft, user_b):
    with pytest.raises(ApplicationError) as edit:
        drafts.application_save_draft(application=draft, user=user_b, values={"work_name": "乗っ取り"})
    with pytest.raises(ApplicationError) as submit:
        drafts.application_submit(application=draft, submitted_by=user_b)
    assert edit.value.code == submit.value.code == "not_owner"


def test_a_failure_while_issuing_leaves_nothing_half_done(submitted, reviewer, user_a):
    # given a paid application whose construction already ended before the issue day
    _to_awaiting_fee(submitted, reviewer)
    review.application_fee_record(
        application=submitted, clerk=reviewer, amount=23_800, paid_on=dt.date(2026, 7, 1)
    )
    Application.objects.filter(pk=submitted.pk).update(construction_end=dt.date(2026, 6, 25))
    # when
    with pytest.raises(ApplicationError.__mro__[1]):
        review.application_issue(application=submitted, clerk=reviewer)
    # then no number, certificate or key was kept, and the application still waits
    submitted.refresh_from_db()
    assert submitted.state == State.AWAITING_FEE
    assert not Guarantee.objects.exists()
    assert not Certificate.objects.exists()


def test_only_an_unsubmitted_draft_can_be_discarded(draft, user_a, submitted):
    with pytest.raises(ApplicationError):
        drafts.application_discard(application=submitted, user=user_a)
    fresh = drafts.application_create(user=user_a, kind="advance")
    drafts.application_discard(application=fresh, user=user_a)
    assert not Application.objects.filter(pk=fresh.pk).exists()


def _issue(application, reviewer):
    _to_awaiting_fee(application, reviewer)
    review.application_fee_record(
        application=application, clerk=reviewer, amount=application.fee_amount, paid_on=dt.date(2026, 7, 1)
    )
    return review.application_issue(application=application, clerk=reviewer)


def test_an_interim_advance_and_a_rider_are_issued_on_their_advance(user_a, orderer, tokyo_branch, reviewer):
    from guarantees.models import GuaranteeKind
    from tests.factories import issue_guarantee

    from .conftest import make_draft

    advance = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 1, 10)
    )
    interim = make_draft(
        user_a,
        orderer,
        tokyo_branch,
        kind=GuaranteeKind.INTERIM_ADVANCE,
        parent_guarantee=advance,
        contract_date=dt.date(2026, 1, 5),
        construction_start=dt.date(2026, 1, 6),
        construction_end=dt.date(2026, 12, 20),
        guarantee_amount=20_000_000,
        progress_amount=50_000_000,
    )
    rider = make_draft(
        user_a,
        orderer,
        tokyo_branch,
        kind=GuaranteeKind.CONTRACT,
        parent_guarantee=advance,
        guarantee_amount=10_000_000,
    )
    for draft in (interim, rider):
        application = drafts.application_submit(application=draft, submitted_by=user_a)
        issued = _issue(application, reviewer)
        assert issued.guarantee.parent == advance
        assert issued.guarantee.number[3:5] == {"interim_advance": "01", "contract": "02"}[application.kind]
        assert issued.guarantee.medium == advance.medium
