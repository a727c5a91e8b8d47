"""前払金使途内訳明細書 and 前払金払出依頼書: totals, 未定, amendments, balance and history."""
# mypy: disable-error-code="union-attr,operator"

import datetime as dt

import pytest
from django.urls import reverse

from advances import selectors, services
from advances.errors import AdvanceError
from advances.models import UNDECIDED, AdvanceUsePlan, WithdrawalRequest
from advances.services import UseRowInput, WithdrawalLineInput
from tests.factories import issue_guarantee


@pytest.fixture
def advance(user_a, orderer):
    # 40,000,000 yen of advance
    return issue_guarantee(contractor=user_a.contractor, orderer=orderer, concluded_on=dt.date(2026, 6, 1))


def _plan_rows():
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
        UseRowInput(category="labour", advance_use=14_976_200, payout_method="cash"),
        UseRowInput(category="guarantee_fee", advance_use=23_800, payout_method="own_account", payee="自社"),
    ]


def test_a_plan_whose_uses_add_up_to_the_advance_is_saved_with_undecided_items(advance, user_a):
    plan = services.use_plan_save(guarantee=advance, user=user_a, rows=_plan_rows())
    rows = list(plan.rows.all())
    assert [row.get_category_display() for row in rows] == ["材料費", "労務費", "保証料"]
    assert (rows[1].payee, rows[1].quantity, rows[1].payout_schedule) == (UNDECIDED, UNDECIDED, UNDECIDED)
    assert plan.revision == 1


def test_a_plan_that_does_not_add_up_to_the_advance_is_refused(advance, user_a):
    rows = _plan_rows()[:2]
    with pytest.raises(AdvanceError) as refused:
        services.use_plan_save(guarantee=advance, user=user_a, rows=rows)
    assert refused.value.code == "total_mismatch"
    assert "39,976,200円" in refused.value.message
    assert "40,000,000円" in refused.value.message
    assert not AdvanceUsePlan.objects.exists()


def test_a_use_above_its_total_requirement_is_refused(advance, user_a):
    rows = [
        UseRowInput(category="materials", advance_use=40_000_000, total_required=1, payout_method="transfer")
    ]
    with pytest.raises(AdvanceError) as refused:
        services.use_plan_save(guarantee=advance, user=user_a, rows=rows)
    assert refused.value.code == "use_above_required"
    assert refused.value.message.startswith("1行目")


def test_an_undecided_payee_can_be_amended_later(advance, user_a):
    services.use_plan_save(guarantee=advance, user=user_a, rows=_plan_rows())
    amended = _plan_rows()
    amended[1] = UseRowInput(
        category="labour", advance_use=14_976_200, payout_method="transfer", payee="山田工業"
    )
    plan = services.use_plan_save(guarantee=advance, user=user_a, rows=amended)
    assert plan.revision == 2
    assert plan.rows.get(category="labour").payee == "山田工業"


def test_withdrawals_are_checked_against_the_balance_the_uses_and_their_payees(advance, user_a):
    services.use_plan_save(guarantee=advance, user=user_a, rows=_plan_rows())
    first = services.withdrawal_request_create(
        guarantee=advance,
        user=user_a,
        requested_on=dt.date(2026, 7, 1),
        lines=[
            WithdrawalLineInput(category="materials", payee="株式会社九州生コン", amount=20_000_000),
            WithdrawalLineInput(category="labour", payee="山田工業", amount=5_000_000),
        ],
    )
    assert (first.sequence, first.total, first.balance_after) == (1, 25_000_000, 15_000_000)
    for lines, code in [
        (
            [WithdrawalLineInput(category="materials", payee="株式会社九州生コン", amount=5_000_001)],
            "category_exceeded",
        ),
        ([WithdrawalLineInput(category="materials", payee="別の業者", amount=1)], "payee_not_planned"),
        ([WithdrawalLineInput(category="power", payee="電力会社", amount=1)], "category_not_planned"),
        ([WithdrawalLineInput(category="labour", payee=UNDECIDED, amount=1)], "payee_required"),
    ]:
        with pytest.raises(AdvanceError) as refused:
            services.withdrawal_request_create(
                guarantee=advance, user=user_a, requested_on=dt.date(2026, 7, 2), lines=lines
            )
        assert refused.value.code == code
    assert WithdrawalRequest.objects.count() == 1
    assert selectors.advance_balance(guarantee=advance) == 15_000_000


def test_an_amendment_cannot_go_below_what_was_already_withdrawn(advance, user_a):
    services.use_plan_save(guarantee=advance, user=user_a, rows=_plan_rows())
    services.withdrawal_request_create(
        guarantee=advance,
        user=user_a,
        requested_on=dt.date(2026, 7, 1),
        lines=[WithdrawalLineInput(category="labour", payee="山田工業", amount=10_000_000)],
    )
    rows = _plan_rows()
    rows[0] = UseRowInput(category="materials", advance_use=34_976_200, payout_method="transfer")
    rows[1] = UseRowInput(category="labour", advance_use=5_000_000, payout_method="transfer")
    with pytest.raises(AdvanceError) as refused:
        services.use_plan_save(guarantee=advance, user=user_a, rows=rows)
    assert refused.value.code == "below_withdrawn"


def test_a_withdrawal_needs_a_plan_first(advance, user_a):
    with pytest.raises(AdvanceError) as refused:
        services.withdrawal_request_create(
            guarantee=advance,
            user=user_a,
            requested_on=dt.date(2026, 7, 1),
            lines=[WithdrawalLineInput(category="labour", payee="x", amount=1)],
        )
    assert refused.value.code == "no_plan"


def test_another_contractor_cannot_write_or_see_the_paperwork(client, advance, user_b):
    with pytest.raises(AdvanceError):
        services.use_plan_save(guarantee=advance, user=user_b, rows=_plan_rows())
    client.force_login(user_b)
    assert client.get(reverse("advances:use_plan", args=[advance.number])).status_code == 404
    assert client.get(reverse("advances:withdrawals", args=[advance.number])).status_code == 404


def test_the_plan_and_withdrawal_pages_work_through_the_browser_forms(client, advance, user_a):
    client.force_login(user_a)
    page = client.get(reverse("advances:use_plan", args=[advance.number]))
    assert "労働者災害補償保険料" in page.content.decode()
    data = {"rows-TOTAL_FORMS": "2", "rows-INITIAL_FORMS": "0"}
    data.update(
        {
            "rows-0-category": "materials",
            "rows-0-advance_use": "３０，０００，０００",
            "rows-0-payout_method": "transfer",
        }
    )
    data.update(
        {"rows-1-category": "labour", "rows-1-advance_use": "10,000,000", "rows-1-payout_method": "undecided"}
    )
    assert client.post(reverse("advances:use_plan", args=[advance.number]), data).status_code == 302
    wrong = dict(data, **{"rows-1-advance_use": "1"})
    refused = client.post(reverse("advances:use_plan", args=[advance.number]), wrong)
    assert "前払金額（40,000,000円）と一致しません" in refused.content.decode()
    withdrawal = {
        "requested_on": "2026-07-01",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-category": "labour",
        "lines-0-payee": "山田工業",
        "lines-0-amount": "1,000,000",
    }
    assert client.post(reverse("advances:withdrawals", args=[advance.number]), withdrawal).status_code == 302
    history = client.get(reverse("advances:withdrawals", args=[advance.number])).content.decode()
    assert "39,000,000円" in history
    assert "山田工業" in history


def test_staff_of_the_branch_read_the_paperwork_in_admin(
    client, advance, user_a, reviewer, other_branch_reviewer
):
    from django.contrib.auth.models import Permission

    services.use_plan_save(guarantee=advance, user=user_a, rows=_plan_rows())
    plan = AdvanceUsePlan.objects.get()
    for clerk in (reviewer, other_branch_reviewer):
        clerk.user_permissions.add(
            *Permission.objects.filter(codename__in=["view_advanceuseplan", "view_advanceuserow"])
        )
    client.force_login(reviewer)
    page = client.get(reverse("admin:advances_advanceuseplan_change", args=[plan.pk])).content.decode()
    assert "株式会社九州生コン" in page
    client.force_login(other_branch_reviewer)
    assert client.get(reverse("admin:advances_advanceuseplan_change", args=[plan.pk])).status_code == 302


def _count_on_page(response, text: str) -> int:
    assert response.status_code == 200, response.status_code
    return response.content.decode().count(text)


def test_a_saved_use_plan_and_a_withdrawal_request_say_so_once(client, user_a, advance):
    client.force_login(user_a)
    plan = {
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-0-category": "materials",
        "rows-0-advance_use": "40,000,000",
        "rows-0-payout_method": "transfer",
        "rows-0-payee": "山田工業",
    }
    saved = client.post(reverse("advances:use_plan", args=[advance.number]), plan, follow=True)
    assert _count_on_page(saved, "使途内訳明細書を保存しました。") == 1

    withdrawal = {
        "requested_on": "2026-07-01",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-category": "materials",
        "lines-0-payee": "山田工業",
        "lines-0-amount": "1,000,000",
    }
    created = client.post(reverse("advances:withdrawals", args=[advance.number]), withdrawal, follow=True)
    assert _count_on_page(created, "払出依頼書を作成しました。") == 1
