"""The e-Net wizard's steps: each 「保存して次へ」 checks its own fields with the submission's rules,
「下書き保存」 keeps whatever is there, amounts read with 円, and the history tells a paid fee."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from applications.models import Application
from applications.services import drafts, review

from .conftest import make_draft


def _step(application: Application, name: str) -> str:
    return reverse("applications:step", args=[application.pk, name])


def test_save_and_next_on_the_work_step_names_what_is_missing_in_japanese_and_keeps_the_draft(
    client, user_a, orderer, tokyo_branch
):
    # given a draft whose work step is still empty
    application = make_draft(user_a, orderer, tokyo_branch, work_name="", work_place="", upload=False)
    client.force_login(user_a)
    # when the contractor fills the dates only and presses 保存して次へ
    response = client.post(
        _step(application, "work"),
        {"contract_date": "2026-06-20", "construction_start": "2026-06-21", "construction_end": "2027-03-15"},
    )
    # then the same step comes back with the step's own messages, next to their fields
    page = response.content.decode()
    assert response.status_code == 200
    assert "工事名を入力してください。" in page
    assert "工事場所を入力してください。" in page
    assert 'id="id_work_name_error"' in page
    assert "下書きは保存しました。この画面の入力を確認してください。" in page
    assert page.count("下書きは保存しました。") == 1
    # and what was typed is saved as a draft all the same
    application.refresh_from_db()
    assert application.construction_start == dt.date(2026, 6, 21)


def test_save_only_keeps_an_incomplete_step_without_complaint(client, user_a, orderer, tokyo_branch):
    application = make_draft(user_a, orderer, tokyo_branch, work_name="", upload=False)
    client.force_login(user_a)
    response = client.post(_step(application, "work"), {"work_place": "大阪府大阪市", "save_only": "1"})
    assert response.status_code == 302
    assert response.url == _step(application, "work")
    application.refresh_from_db()
    assert application.work_place == "大阪府大阪市"


def test_save_and_next_moves_on_when_the_step_is_complete_even_if_later_steps_are_not(
    client, user_a, orderer, tokyo_branch
):
    # given a draft with its work complete but no amounts yet
    application = make_draft(
        user_a, orderer, tokyo_branch, guarantee_amount=None, contract_amount_total=None, upload=False
    )
    client.force_login(user_a)
    response = client.post(
        _step(application, "work"),
        {
            "work_name": "国道〇号線 道路改良工事 その3",
            "work_place": "東京都千代田区",
            "contract_date": "2026-06-20",
            "construction_start": "2026-06-21",
            "construction_end": "2027-03-15",
        },
    )
    assert response.status_code == 302
    assert response.url == _step(application, "amounts")


def test_the_amounts_step_refuses_a_missing_amount_and_the_kind_step_a_missing_orderer(
    client, user_a, orderer, tokyo_branch
):
    application = make_draft(user_a, orderer, tokyo_branch, guarantee_amount=None, upload=False)
    client.force_login(user_a)
    amounts = client.post(_step(application, "amounts"), {"contract_amount_total": "100,000,000"})
    assert amounts.status_code == 200
    assert "保証金額を入力してください。" in amounts.content.decode()
    blank = drafts.application_create(user=user_a, kind="advance")
    kind = client.post(_step(blank, "kind"), {"branch": tokyo_branch.pk})
    assert kind.status_code == 200
    assert "発注者を選んでください。" in kind.content.decode()


def test_amounts_read_with_separators_and_yen_in_the_fields_the_summary_and_the_list(
    client, user_a, orderer, tokyo_branch
):
    application = make_draft(user_a, orderer, tokyo_branch)
    client.force_login(user_a)
    step = client.get(_step(application, "amounts")).content.decode()
    confirm = client.get(reverse("applications:confirm", args=[application.pk])).content.decode()
    listing = client.get(reverse("applications:list")).content.decode()
    assert 'value="100,000,000"' in step
    assert 'value="40,000,000"' in step
    assert "100,000,000円" in confirm
    assert "40,000,000円" in confirm
    assert "40,000,000円" in listing


def test_after_the_fee_is_recorded_the_state_and_history_say_it_waits_for_issue_not_for_payment(
    client, submitted, user_a, reviewer
):
    # given an approved application whose fee the clerk records
    review.application_review_start(application=submitted, clerk=reviewer)
    review.application_approve(application=submitted, clerk=reviewer)
    client.force_login(user_a)
    before = client.get(reverse("applications:detail", args=[submitted.pk])).content.decode()
    assert "保証料入金待ち" in before
    review.application_fee_record(
        application=submitted, clerk=reviewer, amount=23_800, paid_on=dt.date(2026, 7, 1)
    )
    # when the contractor looks at the application
    detail = client.get(reverse("applications:detail", args=[submitted.pk])).content.decode()
    # then neither the state nor the newest history row still asks for the payment
    submitted.refresh_from_db()
    assert submitted.state_label == "入金済・発行待ち"
    history = detail[detail.index("履歴") :]
    last_row = history[history.rindex("<tr>") :]
    assert "保証料の入金記録" in last_row
    assert "入金済・発行待ち" in last_row
    assert "保証料入金待ち" not in last_row
    assert "23,800円" in detail


def test_application_pages_keep_the_header_to_the_portals_own_links(client, draft, user_a):
    client.force_login(user_a)
    page = client.get(_step(draft, "kind")).content.decode()
    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    assert "申込一覧" not in header
    assert "変更・解約の申込" not in header
    assert 'class="app-nav"' in page[page.index("</header>") :]


def test_the_manual_describes_the_wizard_and_the_review_desk(client):
    page = client.get(reverse("certificates:manual")).content.decode()
    assert 'id="wizard"' in page
    assert 'id="desk"' in page
    assert "「保存して次へ」を押すと、その画面の入力を確認し" in page
    assert "この操作で次のことを行います" in page
    assert "Tab キーで次の項目へ" in page
