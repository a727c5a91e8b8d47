"""The contractor's screens and the staff's admin pages, driven through the Django test client."""
# mypy: disable-error-code="union-attr,operator"

import datetime as dt

import pytest
from django.urls import reverse

from applications.models import Application, FeeRate
from applications.services import drafts
from authkeys.selectors import guarantee_matching_key
from authkeys.services import authkey_reveal
from certificates.models import Certificate
from guarantees.models import GuaranteeKind
from tests.factories import BankFactory

from .conftest import PNG_BYTES, make_draft, pdf

State = Application.State


def _login(client, user):
    client.force_login(user)
    return client


def test_the_whole_path_from_application_to_a_verifiable_key(client, user_a, reviewer, orderer, tokyo_branch):
    bank = BankFactory()
    # given the contractor creates an advance application and walks the steps
    _login(client, user_a)
    response = client.post(reverse("applications:new"), {"kind": "advance"})
    application = Application.objects.get(contractor=user_a.contractor)
    assert response.url == reverse("applications:step", args=[application.pk, "kind"])
    search = client.get(response.url, {"q": orderer.organisation[:4]})
    assert orderer.title in search.content.decode()
    steps = [
        ("kind", {"branch": tokyo_branch.pk, "orderer": orderer.pk}),
        (
            "work",
            {
                "work_name": "国道〇号線 道路改良工事 その1",
                "work_place": "東京都千代田区",
                "contract_date": "2026-06-20",
                "construction_start": "2026-06-21",
                "construction_end": "2027-03-15",
            },
        ),
        ("amounts", {"contract_amount_total": "１００，０００，０００", "guarantee_amount": "40,000,000円"}),
        (
            "account",
            {
                "bank": bank.pk,
                "account_type": "ordinary",
                "account_number": "１２３-４５６７",
                "account_holder": "カ）アルファ",
            },
        ),
    ]
    for step, data in steps:
        posted = client.post(reverse("applications:step", args=[application.pk, step]), data)
        assert posted.status_code == 302, posted.content.decode()
    client.post(
        reverse("applications:documents", args=[application.pk]), {"doc_type": "contract", "file": pdf()}
    )
    confirm = client.get(reverse("applications:confirm", args=[application.pk]))
    assert "23,800円" in confirm.content.decode()
    assert "e-Net割引" in confirm.content.decode()
    client.post(reverse("applications:confirm", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.account_number == "1234567"
    assert application.contract_amount_total == 100_000_000

    # when the clerk reviews, approves, records the fee and issues in admin
    _login(client, reviewer)
    queue = client.get(reverse("admin:applications_application_changelist"))
    assert "国道〇号線 道路改良工事 その1" in queue.content.decode()
    for name, data in [
        ("review", {}),
        ("approve", {}),
        ("fee", {"amount": "23,800", "paid_on": "2026-07-01"}),
        ("issue", {}),
    ]:
        done = client.post(reverse(f"admin:applications_application_{name}", args=[application.pk]), data)
        assert done.status_code == 302, done.content.decode()

    # then the contractor sees 発行済 with the number, and the key verifies
    _login(client, user_a)
    application.refresh_from_db()
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "発行済" in detail
    assert application.guarantee.number in detail
    certificate = Certificate.objects.get(guarantee=application.guarantee)
    assert (certificate.version, certificate.guarantee_amount, certificate.work_name) == (
        1,
        40_000_000,
        "国道〇号線 道路改良工事 その1",
    )
    key = authkey_reveal(guarantee=application.guarantee, user=user_a)
    assert (
        guarantee_matching_key(contract_number=application.guarantee.number, key=key) == application.guarantee
    )


def test_a_returned_application_shows_the_clerks_comment_and_can_be_resubmitted(
    client, submitted, user_a, reviewer
):
    _login(client, reviewer)
    client.post(reverse("admin:applications_application_review", args=[submitted.pk]))
    client.post(
        reverse("admin:applications_application_return", args=[submitted.pk]),
        {"comment": "工期を確認してください。"},
    )
    _login(client, user_a)
    detail = client.get(reverse("applications:detail", args=[submitted.pk])).content.decode()
    step = client.get(reverse("applications:step", args=[submitted.pk, "work"])).content.decode()
    assert "差戻し" in detail
    assert "工期を確認してください。" in detail
    assert "工期を確認してください。" in step
    client.post(reverse("applications:confirm", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_a_clerks_wrong_fee_amount_is_shown_as_a_form_error(client, submitted, reviewer):
    _login(client, reviewer)
    client.post(reverse("admin:applications_application_review", args=[submitted.pk]))
    client.post(reverse("admin:applications_application_approve", args=[submitted.pk]))
    response = client.post(
        reverse("admin:applications_application_fee", args=[submitted.pk]),
        {"amount": "24000", "paid_on": "2026-07-01"},
    )
    assert response.status_code == 200
    assert "保証料（23,800円）と一致しません" in response.content.decode()


def test_a_skipped_step_in_admin_is_refused_with_a_message(client, submitted, reviewer):
    _login(client, reviewer)
    response = client.post(reverse("admin:applications_application_issue", args=[submitted.pk]))
    assert response.status_code == 200
    assert "「申込済」のため、発行できません" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_the_step_form_reports_bad_input_in_japanese_without_saving(client, draft, user_a):
    _login(client, user_a)
    response = client.post(
        reverse("applications:step", args=[draft.pk, "work"]),
        {"contract_date": "令和8年", "construction_start": "2026-07-01", "construction_end": "2026-06-01"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "日付は 2026-07-01 の形で入力してください。" in page
    assert "工期末日は工期開始日以後の日付にしてください。" in page
    draft.refresh_from_db()
    assert draft.construction_end == dt.date(2027, 3, 15)


def test_a_bad_upload_is_refused_on_the_page(client, draft, user_a):
    _login(client, user_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("applications:documents", args=[draft.pk]),
        {"doc_type": "contract", "file": SimpleUploadedFile("keiyaku.pdf", PNG_BYTES)},
    )
    assert "ファイル名の拡張子と内容が一致しません" in response.content.decode()


def test_the_confirm_page_lists_what_is_missing_with_links_to_the_steps(client, user_a):
    _login(client, user_a)
    client.post(reverse("applications:new"), {"kind": "advance"})
    application = Application.objects.get()
    page = client.get(reverse("applications:confirm", args=[application.pk])).content.decode()
    assert "発注者を選んでください。" in page
    assert reverse("applications:step", args=[application.pk, "kind"]) in page
    assert "申し込む</button>" not in page


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("40000000", 23_800), ("４０，０００，０００円", 23_800), ("2999999", 1_799)],
)
def test_the_fee_quote_endpoint_answers_as_the_amount_is_typed(client, user_a, orderer, amount, expected):
    _login(client, user_a)
    response = client.get(
        reverse("applications:quote"), {"kind": "advance", "orderer": orderer.pk, "amount": amount}
    )
    assert response.json()["ok"] is True
    assert response.json()["total"] == expected


def test_the_fee_quote_endpoint_explains_what_is_missing(client, user_a, orderer):
    _login(client, user_a)
    no_amount = client.get(
        reverse("applications:quote"), {"kind": "advance", "orderer": orderer.pk, "amount": "abc"}
    )
    no_orderer = client.get(reverse("applications:quote"), {"kind": "advance", "amount": "1000"})
    bad_kind = client.get(reverse("applications:quote"), {"kind": "x", "amount": "1000"})
    assert no_amount.json() == {"ok": False, "message": "金額を入力すると保証料を表示します。"}
    assert no_orderer.json()["message"] == "発注者を選ぶと保証料を表示します。"
    assert bad_kind.status_code == 400


def test_the_amounts_step_loads_the_quote_script_from_a_static_file(client, draft, user_a):
    _login(client, user_a)
    page = client.get(reverse("applications:step", args=[draft.pk, "amounts"])).content.decode()
    assert "js/applications-quote.js" in page
    assert "data-quote-url" in page
    assert "<script>" not in page
    assert 'style="' not in page


def _contractor_urls(application):
    return [
        reverse("applications:detail", args=[application.pk]),
        reverse("applications:step", args=[application.pk, "kind"]),
        reverse("applications:documents", args=[application.pk]),
        reverse("applications:confirm", args=[application.pk]),
        reverse("applications:document", args=[application.pk, application.documents.first().pk]),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, draft):
    for url in [reverse("applications:list"), reverse("applications:quote"), *_contractor_urls(draft)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_another_contractor_gets_404_for_every_page_of_an_application(client, draft, user_b):
    _login(client, user_b)
    for url in _contractor_urls(draft):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("applications:discard", args=[draft.pk])).status_code == 404
    assert Application.objects.filter(pk=draft.pk).exists()
    assert "国道〇号線" not in client.get(reverse("applications:list")).content.decode()


def test_users_without_a_contractor_get_403(client, draft, stranger, reviewer):
    for user in (stranger, reviewer):
        _login(client, user)
        assert client.get(reverse("applications:list")).status_code == 403
        assert client.get(reverse("applications:detail", args=[draft.pk])).status_code == 403


def test_the_application_list_does_not_grow_in_queries_with_rows(
    client, user_a, orderer, tokyo_branch, django_assert_num_queries
):
    _login(client, user_a)
    make_draft(user_a, orderer, tokyo_branch)
    client.get(reverse("applications:list"))  # the session's last-seen time is written on this one
    with django_assert_num_queries(3) as few:  # session, user, applications with joins
        client.get(reverse("applications:list"))
    for _ in range(5):
        make_draft(user_a, orderer, tokyo_branch, kind=GuaranteeKind.CONTRACT, upload=False)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("applications:list"))
    assert page.content.decode().count("契約保証特約") >= 5


def test_a_clerk_of_another_branch_cannot_open_or_act_on_the_application(
    client, submitted, other_branch_reviewer
):
    _login(client, other_branch_reviewer)
    assert (
        client.get(reverse("admin:applications_application_change", args=[submitted.pk])).status_code == 302
    )
    assert (
        client.post(reverse("admin:applications_application_review", args=[submitted.pk])).status_code == 404
    )
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_staff_without_the_review_permission_cannot_act(client, submitted, branch_clerk):
    _login(client, branch_clerk)
    assert (
        client.post(reverse("admin:applications_application_review", args=[submitted.pk])).status_code == 403
    )


def test_drafts_are_not_in_the_review_queue(client, draft, reviewer):
    _login(client, reviewer)
    page = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert "国道〇号線" not in page


def test_only_rate_managers_add_rates_and_only_from_today_on(client, reviewer, rate_manager):
    url = reverse("admin:applications_feerate_add")
    row = {
        "kind": "advance",
        "orderer_kind": "national",
        "amount_from": "0",
        "rate_percent": "0.07",
        "note": "改定",
    }
    _login(client, reviewer)
    assert client.get(url).status_code == 403
    _login(client, rate_manager)
    past = client.post(url, {**row, "valid_from": "2026-06-30"})
    assert "適用開始日は今日以後の日付にしてください" in past.content.decode()
    future = client.post(url, {**row, "valid_from": "2026-10-01"})
    assert future.status_code == 302
    added = FeeRate.objects.get(valid_from=dt.date(2026, 10, 1))
    assert added.created_by == rate_manager


def test_a_rate_already_in_force_cannot_be_edited(client, rate_manager):
    _login(client, rate_manager)
    seeded = FeeRate.objects.filter(valid_from=dt.date(2022, 4, 1)).first()
    client.post(
        reverse("admin:applications_feerate_change", args=[seeded.pk]),
        {
            "kind": seeded.kind,
            "orderer_kind": seeded.orderer_kind,
            "amount_from": "0",
            "rate_percent": "9",
            "valid_from": "2026-10-01",
        },
    )
    seeded.refresh_from_db()
    assert seeded.rate_percent != 9


@pytest.mark.parametrize(
    "kind", [GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.CONTRACT]
)
def test_every_step_of_every_kind_renders(client, user_a, orderer, tokyo_branch, kind):
    application = make_draft(user_a, orderer, tokyo_branch, kind=kind)
    _login(client, user_a)
    from applications.views import step_url, steps_of

    for name, _label in steps_of(application):
        response = client.get(step_url(application, name))
        assert response.status_code == 200, name
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 200


def test_change_and_cancellation_screens_render_and_create_drafts(client, user_a, orderer, tokyo_branch):
    from tests.factories import issue_guarantee

    guarantee = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, concluded_on=dt.date(2026, 6, 1)
    )
    _login(client, user_a)
    assert guarantee.number in client.get(reverse("applications:change_list")).content.decode()
    for purpose in ("change", "cancel"):
        response = client.post(
            reverse("applications:change_new", args=[guarantee.number]), {"purpose": purpose}
        )
        assert response.status_code == 302
        assert client.get(response.url).status_code == 200
    assert Application.objects.filter(target_guarantee=guarantee).count() == 2


def test_the_orderer_step_lists_a_limited_page_of_orderers_even_after_an_error(client, draft, user_a):
    from applications.selectors import ORDERER_SEARCH_LIMIT
    from tests.factories import OrdererFactory

    # given more orderers than one page holds
    others = [OrdererFactory() for _ in range(ORDERER_SEARCH_LIMIT + 5)]
    _login(client, user_a)
    # when the step is posted with a bad branch (nothing searched)
    response = client.post(reverse("applications:step", args=[draft.pk, "kind"]), {"branch": "999999"})
    page = response.content.decode()
    # then the orderers are listed, one page of them (never all), with a hint to narrow the search
    assert response.status_code == 200
    radios = page.count('name="orderer"')
    assert ORDERER_SEARCH_LIMIT <= radios <= ORDERER_SEARCH_LIMIT + 1  # the page, and the chosen one
    assert sum(other.title in page for other in others) < len(others)
    assert "絞り込んでください" in page


def test_a_blank_orderer_search_lists_the_orderers_and_a_term_narrows_them(client, draft, user_a):
    from tests.factories import OrdererFactory

    kagoshima = OrdererFactory(title="鹿児島県知事", organisation="鹿児島県")
    _login(client, user_a)
    url = reverse("applications:step", args=[draft.pk, "kind"])
    blank = client.get(url, {"q": ""}).content.decode()
    narrowed = client.get(url, {"q": "鹿児島"}).content.decode()
    nothing = client.get(url, {"q": "存在しない発注者"}).content.decode()
    assert "鹿児島県知事" in blank
    assert draft.orderer.title in blank
    assert "鹿児島県知事" in narrowed
    assert f'value="{kagoshima.pk}"' in narrowed
    assert "該当する発注者がありません。" in nothing


def test_the_review_queue_does_not_grow_in_queries_with_rows(
    client, user_a, orderer, tokyo_branch, reviewer, django_assert_num_queries
):

    def submit_one():
        application = make_draft(user_a, orderer, tokyo_branch)
        drafts.application_submit(application=application, submitted_by=user_a)

    submit_one()
    _login(client, reviewer)
    url = reverse("admin:applications_application_changelist")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        submit_one()
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("国道〇号線") >= 5


def test_staff_can_try_the_same_quote_in_admin(client, reviewer):
    _login(client, reviewer)
    url = reverse("admin:applications_feerate_quote")
    page = client.get(
        url, {"kind": "advance", "orderer_kind": "national", "amount": "145,670,000", "on": "2026-07-01"}
    ).content.decode()
    assert "77,835円" in page
    assert "77,635円" in page
    none = client.get(url, {"kind": "advance", "orderer_kind": "national", "amount": "1", "on": "2020-01-01"})
    assert "この日に適用される保証料率がありません。" in none.content.decode()
