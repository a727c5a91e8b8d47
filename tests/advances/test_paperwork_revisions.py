"""The 使途内訳明細書 keeps every revision, each paperwork action is audited, a 減額 below the plan is
flagged and no 払出 goes beyond the new advance; re-opened, the plan shows amounts as people read
them; an unknown payee is named as typed."""
# mypy: disable-error-code="union-attr,operator"

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from advances import selectors, services
from advances.audit_actions import USE_PLAN_AMENDED, USE_PLAN_SAVED, WITHDRAWAL_REQUESTED
from advances.errors import AdvanceError
from advances.models import AdvanceUsePlan, AdvanceUsePlanRevision, AdvanceUseRow, WithdrawalRequest
from advances.services import UseRowInput, WithdrawalLineInput
from applications.services import drafts, review
from guarantees.models import AuditEvent
from tests.applications.conftest import pdf
from tests.factories import issue_guarantee

PAPERWORK_VIEW = [
    "view_advanceuseplan",
    "view_advanceuserow",
    "view_withdrawalrequest",
    "view_withdrawalline",
]


@pytest.fixture
def advance(user_a, orderer, tokyo_branch):
    # 40,000,000 yen of advance
    return issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 6, 1)
    )


@pytest.fixture
def small_advance(user_a, orderer, tokyo_branch):
    # 20,000,000 yen of advance on a 50,000,000 yen contract
    return issue_guarantee(
        contractor=user_a.contractor,
        orderer=orderer,
        branch=tokyo_branch,
        concluded_on=dt.date(2026, 6, 1),
        contract_amount_total=50_000_000,
        contract_amount_target=50_000_000,
        guarantee_amount=20_000_000,
    )


def _rows(labour_payee=""):
    return [
        UseRowInput(
            category="materials",
            advance_use=25_000_000,
            total_required=60_000_000,
            quantity="生コン 1,200m3",
            payout_method="transfer",
            payout_schedule="令和8年8月",
            payee="株式会社九州生コン",
        ),
        UseRowInput(category="labour", advance_use=15_000_000, payout_method="cash", payee=labour_payee),
    ]


def _clerk_with_paperwork_view(reviewer):
    reviewer.user_permissions.add(*Permission.objects.filter(codename__in=PAPERWORK_VIEW))
    return reviewer


# --- Revisions and audit --------------------------------------------------------------------------


def test_each_amendment_is_a_new_revision_and_the_earlier_ones_stay_as_saved(advance, user_a):
    # given a plan saved, then amended twice
    services.use_plan_save(guarantee=advance, user=user_a, rows=_rows())
    services.use_plan_save(guarantee=advance, user=user_a, rows=_rows(labour_payee="山田工業"))
    plan = services.use_plan_save(guarantee=advance, user=user_a, rows=_rows(labour_payee="鈴木組"))

    # then three revisions are kept, each with its own rows, and the current one is the latest
    revisions = selectors.use_plan_revisions(plan=plan)
    assert [revision.number for revision in revisions] == [3, 2, 1]
    payees = {revision.number: revision.rows.get(category="labour").payee for revision in revisions}
    assert payees == {1: "未定", 2: "山田工業", 3: "鈴木組"}
    assert plan.revision == 3
    assert plan.rows.get(category="labour").payee == "鈴木組"
    assert selectors.use_plan_current(guarantee=advance).number == 3
    assert AdvanceUseRow.objects.count() == 6
    assert all(revision.advance_amount == 40_000_000 for revision in revisions)


def test_every_paperwork_action_writes_its_audit_row(advance, user_a):
    services.use_plan_save(guarantee=advance, user=user_a, rows=_rows())
    services.use_plan_save(guarantee=advance, user=user_a, rows=_rows(labour_payee="山田工業"))
    request = services.withdrawal_request_create(
        guarantee=advance,
        user=user_a,
        requested_on=dt.date(2026, 7, 1),
        lines=[WithdrawalLineInput(category="labour", payee="山田工業", amount=5_000_000)],
    )

    events = list(
        AuditEvent.objects.filter(guarantee=advance, action__startswith="use_plan")
        .union(AuditEvent.objects.filter(guarantee=advance, action__startswith="withdrawal"))
        .order_by("created_at", "id")
    )
    assert [event.action for event in events] == [
        USE_PLAN_SAVED,
        USE_PLAN_AMENDED,
        WITHDRAWAL_REQUESTED,
    ]
    assert all(event.actor == user_a for event in events)
    assert events[1].data["revision"] == 2
    assert events[1].data["total"] == 40_000_000
    assert events[2].data == {
        "request": request.pk,
        "sequence": 1,
        "plan_revision": 2,
        "total": 5_000_000,
        "balance_after": 35_000_000,
    }
    assert events[2].action_label == "払出依頼書の作成"


def test_a_refused_plan_leaves_no_revision_and_no_audit_row(advance, user_a):
    services.use_plan_save(guarantee=advance, user=user_a, rows=_rows())
    with pytest.raises(AdvanceError):
        services.use_plan_save(guarantee=advance, user=user_a, rows=_rows()[:1])
    assert AdvanceUsePlanRevision.objects.count() == 1
    assert AdvanceUsePlan.objects.get().revision == 1
    assert AuditEvent.objects.filter(action__startswith="use_plan").count() == 1


def test_the_clerk_reads_every_revision_in_admin_and_cannot_change_them(client, advance, user_a, reviewer):
    services.use_plan_save(guarantee=advance, user=user_a, rows=_rows())
    plan = services.use_plan_save(guarantee=advance, user=user_a, rows=_rows(labour_payee="山田工業"))
    client.force_login(_clerk_with_paperwork_view(reviewer))
    url = reverse("admin:advances_advanceuseplan_change", args=[plan.pk])

    page = client.get(url).content.decode()

    assert "第2版 （現在の版）" in page
    assert "第1版" in page
    assert page.index("第2版 （現在の版）") < page.index("第1版")
    revision_one = page[page.index("第1版") :]
    assert "山田工業" not in revision_one
    assert "25,000,000円" in revision_one
    assert client.post(url, {}).status_code == 403


# --- A 減額 below the plan ------------------------------------------------------------------------


def _decrease(user, reviewer, guarantee, amount):
    application = drafts.application_create_change(user=user, guarantee=guarantee, purpose="change")
    drafts.application_save_draft(
        application=application,
        user=user,
        values={"change_type": "decrease", "guarantee_amount": amount, "reason": "設計変更による減額"},
    )
    drafts.application_document_add(application=application, user=user, doc_type="contract", upload=pdf())
    application = drafts.application_submit(application=application, submitted_by=user)
    review.application_review_start(application=application, clerk=reviewer)
    review.application_approve(application=application, clerk=reviewer)
    guarantee.refresh_from_db()


WARNING = (
    "使途内訳明細書の前払金使用金額の合計（20,000,000円）が"
    "前払金額（16,000,000円）を4,000,000円超えています。"
)


def test_a_decrease_below_the_saved_plan_is_flagged_to_the_contractor_and_the_clerk(
    client, small_advance, user_a, reviewer
):
    # given a plan of 20,000,000 yen, then a 減額 of the advance to 16,000,000 yen
    services.use_plan_save(
        guarantee=small_advance,
        user=user_a,
        rows=[
            UseRowInput(category="materials", advance_use=12_000_000, payout_method="transfer", payee="A社"),
            UseRowInput(category="labour", advance_use=8_000_000, payout_method="cash", payee="B社"),
        ],
    )
    assert selectors.use_plan_warning(guarantee=small_advance) == ""
    _decrease(user_a, reviewer, small_advance, 16_000_000)
    assert small_advance.guarantee_amount == 16_000_000

    # then the contractor is told on the plan, the withdrawal and the certificate screens
    client.force_login(user_a)
    for url in (
        reverse("advances:use_plan", args=[small_advance.number]),
        reverse("advances:withdrawals", args=[small_advance.number]),
        reverse("certificates:detail", args=[small_advance.number]),
    ):
        assert WARNING in client.get(url).content.decode(), url
    # and the clerk in the list and on the plan's page in admin
    plan = AdvanceUsePlan.objects.get(guarantee=small_advance)
    client.force_login(_clerk_with_paperwork_view(reviewer))
    assert WARNING in client.get(reverse("admin:advances_advanceuseplan_changelist")).content.decode()
    assert (
        WARNING
        in client.get(reverse("admin:advances_advanceuseplan_change", args=[plan.pk])).content.decode()
    )


def test_no_withdrawal_goes_beyond_the_decreased_advance(small_advance, user_a, reviewer):
    services.use_plan_save(
        guarantee=small_advance,
        user=user_a,
        rows=[
            UseRowInput(category="materials", advance_use=12_000_000, payout_method="transfer", payee="A社"),
            UseRowInput(category="labour", advance_use=8_000_000, payout_method="cash", payee="B社"),
        ],
    )
    _decrease(user_a, reviewer, small_advance, 16_000_000)
    # when the materials are paid out in full: within the new advance, accepted
    services.withdrawal_request_create(
        guarantee=small_advance,
        user=user_a,
        requested_on=dt.date(2026, 7, 1),
        lines=[WithdrawalLineInput(category="materials", payee="A社", amount=12_000_000)],
    )
    # then the labour the plan still allocates (8,000,000) is refused beyond the 4,000,000 left
    with pytest.raises(AdvanceError) as refused:
        services.withdrawal_request_create(
            guarantee=small_advance,
            user=user_a,
            requested_on=dt.date(2026, 7, 2),
            lines=[WithdrawalLineInput(category="labour", payee="B社", amount=8_000_000)],
        )
    assert refused.value.code == "balance_exceeded"
    assert refused.value.message.startswith(
        "払出額（8,000,000円）が前払金の残高（4,000,000円）を超えています。"
    )
    assert "減額後の前払金額は16,000,000円" in refused.value.message
    assert WithdrawalRequest.objects.count() == 1
    # and what is left can still be paid out
    services.withdrawal_request_create(
        guarantee=small_advance,
        user=user_a,
        requested_on=dt.date(2026, 7, 2),
        lines=[WithdrawalLineInput(category="labour", payee="B社", amount=4_000_000)],
    )
    assert selectors.advance_balance(guarantee=small_advance) == 0


def test_the_plan_list_in_admin_takes_the_same_queries_for_more_plans(
    client, django_assert_num_queries, user_a, orderer, tokyo_branch, reviewer
):
    def add_plan():
        guarantee = issue_guarantee(
            contractor=user_a.contractor,
            orderer=orderer,
            branch=tokyo_branch,
            concluded_on=dt.date(2026, 6, 1),
        )
        services.use_plan_save(guarantee=guarantee, user=user_a, rows=_rows())

    client.force_login(_clerk_with_paperwork_view(reviewer))
    url = reverse("admin:advances_advanceuseplan_changelist")
    add_plan()
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        add_plan()
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


# --- Re-opening the plan --------------------------------------------------------------------------


def test_a_reopened_plan_shows_amounts_with_separators_and_undecided_items_as_blank_marked_inputs(
    client, advance, user_a
):
    services.use_plan_save(guarantee=advance, user=user_a, rows=_rows())
    client.force_login(user_a)

    page = client.get(reverse("advances:use_plan", args=[advance.number])).content.decode()

    inputs = dict(re.findall(r'<input[^>]*name="rows-1-(\w+)"([^>]*)>', page))
    assert 'value="15,000,000"' in inputs["advance_use"]
    for name in ("quantity", "payout_schedule", "payee", "total_required"):
        assert "value=" not in inputs[name], name
        assert 'placeholder="未定"' in inputs[name], name
    assert 'name="rows-0-advance_use" value="25,000,000"' in page
    assert 'name="rows-0-total_required" value="60,000,000"' in page
    assert 'value="未定"' not in page


# --- An unknown payee -----------------------------------------------------------------------------


def test_an_unknown_payee_is_named_as_typed_not_as_the_plan_names_it(advance, user_a):
    services.use_plan_save(guarantee=advance, user=user_a, rows=_rows())
    with pytest.raises(AdvanceError) as refused:
        services.withdrawal_request_create(
            guarantee=advance,
            user=user_a,
            requested_on=dt.date(2026, 7, 1),
            lines=[WithdrawalLineInput(category="materials", payee="九州生コン販売", amount=1_000_000)],
        )
    assert refused.value.code == "payee_not_planned"
    assert refused.value.message.startswith(
        "1行目: 支払先「九州生コン販売」は使途内訳明細書の材料費にありません"
    )
    assert "（明細書の支払先: 株式会社九州生コン）" in refused.value.message
