"""The clerk's review desk in admin: the branch's waiting applications with documents, fee, change
before → after and actions; confirmation pages that repeat what will happen; read-only pages
without 保存; amounts with separators and 円; the TOTP devices in Japanese."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import selectors
from applications.models import Application
from applications.services import drafts, review
from guarantees.formatting import japan_today
from guarantees.models import Guarantee
from tests.factories import issue_guarantee

from .conftest import make_draft

DESK = "admin:applications_application_desk"


def _submitted(user, orderer, branch, **overrides):
    application = make_draft(user, orderer, branch, **overrides)
    return drafts.application_submit(application=application, submitted_by=user)


def test_the_desk_shows_the_branchs_waiting_applications_with_documents_fee_and_actions(
    client, user_a, orderer, tokyo_branch, reviewer, other_branch_reviewer
):
    # given one application waiting at the Tokyo branch and one approved and waiting for the fee
    waiting = _submitted(user_a, orderer, tokyo_branch, work_name="国道〇号線 道路改良工事 その1")
    approved = _submitted(user_a, orderer, tokyo_branch, work_name="県道 舗装工事 その2")
    review.application_review_start(application=approved, clerk=reviewer)
    review.application_approve(application=approved, clerk=reviewer)
    # when the Tokyo clerk opens the desk
    client.force_login(reviewer)
    page = client.get(reverse(DESK)).content.decode()
    # then both are there, each with its documents, its fee in 円 and the action that applies now
    assert "国道〇号線 道路改良工事 その1" in page
    assert "県道 舗装工事 その2" in page
    assert "契約書.pdf" in page
    assert "23,800円" in page
    assert "−200円" in page
    assert reverse("admin:applications_application_review", args=[waiting.pk]) in page
    assert reverse("admin:applications_application_fee", args=[approved.pk]) in page
    assert "保証料入金待ち" in page
    # and a clerk of another branch sees neither
    client.force_login(other_branch_reviewer)
    other = client.get(reverse(DESK)).content.decode()
    assert "国道〇号線 道路改良工事 その1" not in other
    assert "審査を待つ申込はありません。" in other


def test_the_desk_does_not_grow_in_queries_with_applications(client, user_a, orderer, tokyo_branch, reviewer):
    _submitted(user_a, orderer, tokyo_branch)
    client.force_login(reviewer)
    client.get(reverse(DESK))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(DESK))
    for _ in range(4):
        _submitted(user_a, orderer, tokyo_branch)
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse(DESK)).content.decode()
    assert len(five.captured_queries) == len(one.captured_queries)
    assert page.count("契約書.pdf") == 5


def test_a_change_reads_before_and_after_with_yen(user_a, orderer, tokyo_branch):
    guarantee = issue_guarantee(contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch)
    increase = Application(
        purpose=Application.Purpose.CHANGE,
        kind=guarantee.kind,
        target_guarantee=guarantee,
        change_type=Application.ChangeType.INCREASE,
        guarantee_amount=2_172_720_000,
        contract_amount_total=guarantee.contract_amount_total,
    )
    lines = selectors.change_before_after(application=increase)
    assert [(line.label, line.before, line.after) for line in lines] == [
        ("保証金額", "40,000,000円", "2,172,720,000円")
    ]
    cancel = Application(purpose=Application.Purpose.CANCEL, kind=guarantee.kind, target_guarantee=guarantee)
    assert [line.after for line in selectors.change_before_after(application=cancel)] == ["解約"]


def test_a_cancellation_of_an_expired_guarantee_reads_its_status_as_a_person_reads_it(
    user_a, orderer, tokyo_branch
):
    # given a guarantee whose period ended yesterday (Japan time)
    guarantee = issue_guarantee(contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch)
    Guarantee.objects.filter(pk=guarantee.pk).update(
        guarantee_period_end=japan_today() - dt.timedelta(days=1)
    )
    guarantee.refresh_from_db()
    cancel = Application(purpose=Application.Purpose.CANCEL, kind=guarantee.kind, target_guarantee=guarantee)
    # when the desk shows what a 解約 would change
    lines = selectors.change_before_after(application=cancel)
    # then "before" is the status every other screen shows, not the stored 有効
    assert [(line.before, line.after) for line in lines] == [("保証期間満了", "解約")]


def test_the_confirmation_page_repeats_what_will_happen_and_a_get_changes_nothing(
    client, submitted, reviewer
):
    client.force_login(reviewer)
    review.application_review_start(application=submitted, clerk=reviewer)
    page = client.get(reverse("admin:applications_application_approve", args=[submitted.pk])).content.decode()
    assert "この操作で次のことを行います" in page
    assert "保証契約者に保証料 23,800円 のお支払いをメールでお願いします。" in page
    assert "40,000,000円" in page
    assert "承認する</button>" in page
    submitted.refresh_from_db()
    assert submitted.state == Application.State.IN_REVIEW

    # 発行 says what it issues, with the amount formatted
    review.application_approve(application=submitted, clerk=reviewer)
    review.application_fee_record(
        application=submitted, clerk=reviewer, amount=23_800, paid_on=dt.date(2026, 7, 1)
    )
    issue = client.get(reverse("admin:applications_application_issue", args=[submitted.pk])).content.decode()
    assert "保証契約番号を採番し、保証契約を締結します（保証金額 40,000,000円）。" in issue
    assert "電子証書（第1版）と認証キーを発行します。" in issue
    assert "発行する</button>" in issue


def test_a_wrong_fee_stays_in_its_field_with_the_message(client, submitted, reviewer):
    client.force_login(reviewer)
    review.application_review_start(application=submitted, clerk=reviewer)
    review.application_approve(application=submitted, clerk=reviewer)
    response = client.post(
        reverse("admin:applications_application_fee", args=[submitted.pk]),
        {"amount": "24,000", "paid_on": "2026-07-01"},
    )
    page = response.content.decode()
    assert "入金額（24,000円）が保証料（23,800円）と一致しません。" in page
    assert 'name="amount" value="24,000"' in page
    assert 'value="2026-07-01"' in page


def test_the_read_only_application_page_has_no_save_button_and_formats_amounts(client, submitted, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("admin:applications_application_change", args=[submitted.pk])).content.decode()
    assert 'name="_save"' not in page
    assert 'name="_continue"' not in page
    assert "40,000,000円" in page
    assert "100,000,000円" in page
    assert "40000000" not in page
    assert reverse(DESK) in page


def test_totp_devices_are_labelled_in_japanese(client, head_office):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=head_office, name="事務所のスマートフォン")
    client.force_login(head_office)
    index = client.get(reverse("admin:index")).content.decode()
    devices = client.get(reverse("admin:otp_totp_totpdevice_changelist")).content.decode()
    assert "OTP_TOTP" not in index
    assert "TOTP devices" not in index
    assert "二段階認証（TOTP）" in index
    assert "認証アプリ（TOTP）" in devices
    assert "職員" in devices
    assert "最終利用日時" in devices
    assert "Last used" not in devices
