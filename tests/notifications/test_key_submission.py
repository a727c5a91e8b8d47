"""「発注者へ提出」: the key goes straight to the orderer department, which confirms receipt."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from authkeys.services import authkey_reissue
from notifications.models import KeySubmission, OrdererMailTemplate, OutboxMessage
from notifications.selectors import submission_states
from tests.factories import DepartmentFactory, issue_guarantee

from .helpers import live_key, send_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def department(orderer):
    return DepartmentFactory(orderer=orderer, name="建設課", email="kensetsu@city.example.lg.jp")


@pytest.fixture
def guarantee(contractor_a, orderer, department):
    return issue_guarantee(
        contractor=contractor_a,
        orderer=orderer,
        orderer_department=department,
        work_name="町道2号線 改良工事",
    )


def receipt_path(text: str) -> str:
    match = re.search(r"https?://[^/\s]+(/notifications/receipt/[^\s\"<]+/)", text)
    assert match is not None, text
    return match.group(1)


def test_a_contractor_submits_the_key_and_the_orderer_confirms_receipt(smtp_mail, client, user_a, guarantee):
    # given contractor A's user on the key screen
    client.force_login(user_a)

    # when they press 発注者へ提出 and the mail goes out
    response = client.post(reverse("notifications:submit", args=[guarantee.pk]), {"next": "/"})
    send_all()

    # then the orderer department got the key notice, with the orderer's subject and the links
    assert response.status_code == 302
    assert response["Location"] == "/"
    [mail] = smtp_mail.handler.received
    assert mail.rcpt_tos == ["kensetsu@city.example.lg.jp"]
    assert mail.subject == "【電子保証(前払金)】町道2号線 改良工事"
    assert live_key(guarantee) in mail.text
    assert guarantee.number in mail.text
    assert "/verify/?number=" + guarantee.number in mail.text
    assert "受領確認" in mail.text
    assert live_key(guarantee) in mail.html
    # and the contractor's list shows 提出済
    state = submission_states([guarantee.pk])[guarantee.pk]
    assert (state.state, state.label) == ("submitted", "提出済")

    # when the orderer opens the 受領確認 link (a mail scanner would do the same): nothing recorded yet
    path = receipt_path(mail.text)
    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert submission_states([guarantee.pk])[guarantee.pk].state == "submitted"

    # when the orderer presses the button
    confirmed = client.post(path, REMOTE_ADDR="192.0.2.10")

    # then the contractor sees 受領確認済 with the time, and a second click changes nothing
    assert confirmed.status_code == 200
    state = submission_states([guarantee.pk])[guarantee.pk]
    assert (state.state, state.label) == ("confirmed", "受領確認済")
    assert state.at == state.confirmed_at is not None
    client.post(path)
    assert KeySubmission.objects.get().confirmed_at == state.confirmed_at
    assert KeySubmission.objects.get().confirmed_from == "192.0.2.10"


def test_the_orderers_template_shapes_the_subject_and_adds_its_note(
    smtp_mail, client, user_a, guarantee, orderer
):
    # given an orderer that asks for 「電子保証認証キー:工事名」 and a note
    OrdererMailTemplate.objects.create(
        orderer=orderer,
        subject_template="電子保証認証キー:{工事名}（{保証契約番号}）",
        body_note="紙の提出は不要です。",
    )
    client.force_login(user_a)

    # when the key is submitted
    client.post(reverse("notifications:submit", args=[guarantee.pk]))
    send_all()

    # then the subject follows it
    [mail] = smtp_mail.handler.received
    assert mail.subject == f"電子保証認証キー:町道2号線 改良工事（{guarantee.number}）"
    assert "紙の提出は不要です。" in mail.text


def test_a_subject_template_with_an_unknown_placeholder_is_refused(orderer):
    template = OrdererMailTemplate(orderer=orderer, subject_template="【電子保証】{工事番号}")
    with pytest.raises(ValidationError) as excinfo:
        template.full_clean()
    assert "{工事番号}" in str(excinfo.value)


def test_a_double_click_sends_one_mail(smtp_mail, client, user_a, guarantee):
    client.force_login(user_a)
    client.post(reverse("notifications:submit", args=[guarantee.pk]))
    client.post(reverse("notifications:submit", args=[guarantee.pk]))
    send_all()
    assert KeySubmission.objects.count() == 1
    assert len(smtp_mail.handler.received) == 1


def test_another_contractor_cannot_submit_the_key(client, user_b, guarantee):
    client.force_login(user_b)
    response = client.post(reverse("notifications:submit", args=[guarantee.pk]))
    assert response.status_code == 404
    assert not OutboxMessage.objects.exists()


def test_staff_and_strangers_cannot_submit_keys(client, stranger, head_office, guarantee):
    for user in (stranger, head_office):
        client.force_login(user)
        assert client.post(reverse("notifications:submit", args=[guarantee.pk])).status_code == 404
    client.logout()
    assert client.post(reverse("notifications:submit", args=[guarantee.pk])).status_code == 302  # to login
    assert not KeySubmission.objects.exists()


def test_a_contractor_may_choose_another_department_of_the_same_orderer_only(
    smtp_mail, client, user_a, guarantee, orderer
):
    # given a second department of the orderer, and one of another orderer
    keiyaku = DepartmentFactory(orderer=orderer, name="契約検査課", email="keiyaku@city.example.lg.jp")
    elsewhere = DepartmentFactory(name="他の発注者の課")
    client.force_login(user_a)

    # when the contractor picks the other orderer's department, then it is refused with a message
    refused = client.post(reverse("notifications:submit", args=[guarantee.pk]), {"department": elsewhere.pk})
    assert refused.status_code == 400
    assert "提出先はこの保証契約の発注者の部署から選んでください。" in refused.content.decode()

    # when they pick the orderer's 契約検査課, then the mail goes there
    client.post(reverse("notifications:submit", args=[guarantee.pk]), {"department": keiyaku.pk})
    send_all()
    assert [item.rcpt_tos for item in smtp_mail.handler.received] == [["keiyaku@city.example.lg.jp"]]


def test_without_a_registered_department_the_contractor_gets_a_clear_message(client, user_a, contractor_a):
    guarantee = issue_guarantee(contractor=contractor_a)
    client.force_login(user_a)
    response = client.post(reverse("notifications:submit", args=[guarantee.pk]))
    assert response.status_code == 400
    assert "提出先の部署が登録されていません" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_a_key_reissued_before_the_mail_went_out_is_not_sent(smtp_mail, client, user_a, guarantee):
    # given a submission queued, and the key reissued before a worker sent it
    client.force_login(user_a)
    client.post(reverse("notifications:submit", args=[guarantee.pk]))
    authkey_reissue(guarantee=guarantee, reissued_by=None)

    # when the queue is sent
    send_all()

    # then the old key never left, and the row says why
    assert smtp_mail.handler.received == []
    row = OutboxMessage.objects.get()
    assert row.state == OutboxMessage.State.FAILED
    assert "reissued" in row.last_error


def test_a_forged_receipt_link_is_refused_with_a_message(client):
    response = client.post("/notifications/receipt/forged:token/")
    assert response.status_code == 404
    assert "この受領確認のリンクは無効か、有効期限が切れています。" in response.content.decode()


def test_submission_states_take_one_query_for_any_number_of_guarantees(
    django_assert_num_queries, client, user_a, contractor_a, orderer, department
):
    # given five submitted guarantees
    guarantees = [
        issue_guarantee(contractor=contractor_a, orderer=orderer, orderer_department=department)
        for _ in range(5)
    ]
    client.force_login(user_a)
    for guarantee in guarantees:
        client.post(reverse("notifications:submit", args=[guarantee.pk]))

    # when the list asks for their states, then it costs one query
    with django_assert_num_queries(1):
        states = submission_states([g.pk for g in guarantees] + [999999])
    assert sorted(states) == sorted(g.pk for g in guarantees)
    assert {s.label for s in states.values()} == {"提出済"}


def test_the_submit_page_shows_the_subject_and_the_departments(client, user_a, guarantee):
    client.force_login(user_a)
    response = client.get(reverse("notifications:submit", args=[guarantee.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "【電子保証(前払金)】町道2号線 改良工事" in body
    assert "建設課" in body


def test_the_include_for_the_contractors_list_shows_the_state_and_time(client, user_a, guarantee):
    from django.template.loader import render_to_string

    # given a submitted guarantee
    client.force_login(user_a)
    client.post(reverse("notifications:submit", args=[guarantee.pk]))

    # when the list renders its column, then it reads 提出済 with the time; nothing for others
    state = submission_states([guarantee.pk])[guarantee.pk]
    html = render_to_string("notifications/_submission_state.html", {"state": state})
    assert "提出済" in html
    assert f"{timezone.localtime(state.at):%Y/%m/%d %H:%M}" in html
    assert render_to_string("notifications/_submission_state.html", {"state": None}).strip() == ""
    button = render_to_string("notifications/_submit_button.html", {"guarantee": guarantee, "next": "/keys/"})
    assert reverse("notifications:submit", args=[guarantee.pk]) in button


def test_the_contractors_screens_offer_the_buttons_and_show_submitted_then_confirmed(
    smtp_mail, client, user_a, guarantee
):
    # given contractor A on the key screen with the key displayed
    client.force_login(user_a)
    key_screen = client.post(f"/keys/{guarantee.number}/").content.decode()
    # then the PDF and 発注者へ提出 buttons stand beside コピー
    assert f'action="/documents/keys/{guarantee.number}/notice.pdf"' in key_screen
    assert "保証契約等の内容をPDF出力" in key_screen
    assert f'action="/notifications/submit/{guarantee.pk}/"' in key_screen
    assert "発注者へ提出" in key_screen

    # when the key is submitted
    client.post(reverse("notifications:submit", args=[guarantee.pk]), {"next": "/"})
    send_all()
    # then the list and the key screen say 提出済 with the time
    listing = client.get("/").content.decode()
    assert "提出済" in listing
    assert "submission-submitted" in listing
    assert "提出済" in client.get(f"/keys/{guarantee.number}/").content.decode()

    # when the orderer confirms receipt
    [mail] = smtp_mail.handler.received
    client.logout()
    client.post(receipt_path(mail.text))
    client.force_login(user_a)
    # then the list says 受領確認済
    listing = client.get("/").content.decode()
    assert "受領確認済" in listing
    assert "submission-confirmed" in listing


def test_submission_and_receipt_are_in_the_audit_trail(smtp_mail, client, user_a, guarantee):
    from guarantees.models import AuditEvent
    from notifications.audit_actions import KEY_RECEIPT_CONFIRMED, KEY_SUBMITTED

    client.force_login(user_a)
    client.post(reverse("notifications:submit", args=[guarantee.pk]), {"next": "/"})
    send_all()
    [mail] = smtp_mail.handler.received
    client.logout()
    client.post(receipt_path(mail.text))

    submitted = AuditEvent.objects.get(guarantee=guarantee, action=KEY_SUBMITTED)
    assert submitted.actor == user_a
    assert submitted.data["to"] == "kensetsu@city.example.lg.jp"
    confirmed = AuditEvent.objects.get(guarantee=guarantee, action=KEY_RECEIPT_CONFIRMED)
    assert confirmed.actor is None
    assert confirmed.created_at >= submitted.created_at


def test_the_list_row_shows_the_same_state_markup_as_the_include_without_a_query_per_row(
    client, user_a, guarantee, django_assert_num_queries
):
    import re

    from django.template.loader import render_to_string

    # given a submitted guarantee
    client.force_login(user_a)
    client.post(reverse("notifications:submit", args=[guarantee.pk]))
    client.get("/")
    # when the list renders (session, user, count, page, submissions: five queries)
    with django_assert_num_queries(5):
        listing = client.get("/").content.decode()
    # then its row carries exactly what the include renders for that state
    state = submission_states([guarantee.pk])[guarantee.pk]
    expected = render_to_string("notifications/_submission_state.html", {"state": state}).strip()
    [cell] = re.findall(r'<div class="submission-cell">(.*?)</div>', listing)
    assert cell == expected
