"""The contractor hears about every step of an application by mail, through the outbox."""
# mypy: disable-error-code="union-attr,operator"

import datetime as dt
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db.models.signals import post_save

from applications.errors import ApplicationError
from applications.services import drafts, notices, review
from notifications.emails import build_message
from notifications.models import OutboxMessage
from tests.factories import issue_guarantee
from tests.notifications.helpers import live_key, send_all
from tests.notifications.smtp import RecordingHandler, SMTPServer, free_port

from .conftest import make_draft

Kind = OutboxMessage.Kind
ALPHA = ["keiri@alpha.example.jp", "koumu@alpha.example.jp"]


@pytest.fixture
def two_addresses(contractor_a):
    contractor_a.notice_emails = "\n".join(ALPHA)
    contractor_a.save(update_fields=["notice_emails"])
    return ALPHA


def _rendered(row: OutboxMessage) -> tuple[str, str, str]:
    message, subject = build_message(
        kind=row.kind, to=row.to, context=row.context, idempotency_key=row.idempotency_key
    )
    html = str(message.alternatives[0].content)
    return subject, str(message.body), html


def _rows(kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind).order_by("to"))


def _to_awaiting_fee(application, reviewer):
    review.application_review_start(application=application, clerk=reviewer)
    return review.application_approve(application=application, clerk=reviewer)


def _issue(application, reviewer):
    _to_awaiting_fee(application, reviewer)
    review.application_fee_record(
        application=application, clerk=reviewer, amount=application.fee_amount, paid_on=dt.date(2026, 7, 1)
    )
    return review.application_issue(application=application, clerk=reviewer)


def test_a_submission_queues_one_received_mail_per_notice_address(draft, user_a, two_addresses):
    # when
    application = drafts.application_submit(application=draft, submitted_by=user_a)
    # then one row per address, each with its own idempotency key naming the transition
    rows = _rows(Kind.APPLICATION_RECEIVED)
    transition = application.transitions.get(event="submitted")
    assert [row.to for row in rows] == ALPHA
    assert [row.idempotency_key for row in rows] == [
        f"application:{application.pk}:{transition.pk}:{address}" for address in ALPHA
    ]
    assert OutboxMessage.objects.count() == 2
    subject, text, html = _rendered(rows[0])
    assert subject == "【電子保証ポータル】e-Net申込を受け付けました（国道〇号線 道路改良工事 その1）"
    assert "株式会社アルファ建設" in text
    assert "23,800円（非課税）" in text
    assert "申込済" in text
    assert f"/applications/{application.pk}/" in text
    assert "23,800円" in html


def test_the_start_of_review_queues_its_own_mail(submitted, reviewer, two_addresses):
    # when
    review.application_review_start(application=submitted, clerk=reviewer)
    # then
    rows = _rows(Kind.APPLICATION_IN_REVIEW)
    assert len(rows) == 2
    subject, text, _html = _rendered(rows[0])
    assert "審査を開始しました" in subject
    assert "審査中" in text


def test_a_return_mails_the_clerks_comment(submitted, reviewer, two_addresses):
    # given
    review.application_review_start(application=submitted, clerk=reviewer)
    # when
    comment = "請負契約書の写しが不鮮明です。\n再度添付してください。"
    review.application_return(application=submitted, clerk=reviewer, comment=comment)
    # then
    rows = _rows(Kind.APPLICATION_RETURNED)
    assert len(rows) == 2
    subject, text, html = _rendered(rows[0])
    assert "差し戻しました" in subject
    assert "請負契約書の写しが不鮮明です。\n再度添付してください。" in text
    assert "請負契約書の写しが不鮮明です。<br>再度添付してください。" in html


def test_a_refusal_mails_the_reason(submitted, reviewer, two_addresses):
    review.application_review_start(application=submitted, clerk=reviewer)
    review.application_refuse(application=submitted, clerk=reviewer, reason="保証限度額を超えるため")
    rows = _rows(Kind.APPLICATION_REFUSED)
    assert len(rows) == 2
    subject, text, _html = _rendered(rows[0])
    assert "審査結果" in subject
    assert "謝絶" in text
    assert "保証限度額を超えるため" in text


def test_an_approval_with_a_fee_mails_the_amount_to_pay(submitted, reviewer, two_addresses):
    _to_awaiting_fee(submitted, reviewer)
    rows = _rows(Kind.APPLICATION_FEE_DUE)
    assert len(rows) == 2
    subject, text, _html = _rendered(rows[0])
    assert subject == "【電子保証ポータル】保証料 23,800円のお支払いのお願い（国道〇号線 道路改良工事 その1）"
    assert "保証料: 23,800円（非課税）" in text
    assert "24,000円 − e-Net割引 200円" in text
    assert "保証料入金待ち" in text


def test_recording_the_fee_mails_nothing(submitted, reviewer, two_addresses):
    _to_awaiting_fee(submitted, reviewer)
    before = OutboxMessage.objects.count()
    review.application_fee_record(
        application=submitted, clerk=reviewer, amount=23_800, paid_on=dt.date(2026, 7, 1)
    )
    assert OutboxMessage.objects.count() == before


def test_the_issue_mails_the_number_and_how_to_display_the_key_but_never_the_key(
    submitted, reviewer, two_addresses
):
    # when
    application = _issue(submitted, reviewer)
    # then
    number = application.guarantee.number
    key = live_key(application.guarantee)
    rows = _rows(Kind.APPLICATION_ISSUED)
    assert len(rows) == 2
    subject, text, html = _rendered(rows[0])
    assert subject == f"【電子保証ポータル】保証契約を発行しました（保証契約番号 {number}）"
    assert f"保証契約番号は {number} です。" in text
    assert "認証キー欄の「表示」ボタン" in text
    assert "このメールには認証キーを記載していません。" in html
    for rendered in (subject, text, html, str(rows[0].context)):
        assert key not in rendered


def test_a_cancellation_applied_on_approval_mails_once_that_it_was_cancelled(
    user_a, orderer, tokyo_branch, reviewer, two_addresses
):
    # given a 解約 of an issued guarantee, under review
    guarantee = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, branch=tokyo_branch, concluded_on=dt.date(2026, 6, 1)
    )
    application = drafts.application_create_change(user=user_a, guarantee=guarantee, purpose="cancel")
    drafts.application_save_draft(application=application, user=user_a, values={"reason": "工事の中止"})
    drafts.application_submit(application=application, submitted_by=user_a)
    review.application_review_start(application=application, clerk=reviewer)
    # when
    review.application_approve(application=application, clerk=reviewer)
    # then no fee mail, one 解約 mail per address
    assert not _rows(Kind.APPLICATION_FEE_DUE)
    rows = _rows(Kind.APPLICATION_ISSUED)
    assert len(rows) == 2
    subject, text, _html = _rendered(rows[0])
    assert subject == f"【電子保証ポータル】保証契約 {guarantee.number} を解約しました"
    assert "解約済" in text
    assert "認証キーの表示方法" not in text


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transition_queues_and_sends_nothing(
    user_a, orderer, tokyo_branch, reviewer, two_addresses
):
    # given (outside a test transaction) a submitted application, its mails sent, and a failure that
    # strikes inside the next step's transaction after its first mail was queued
    application = drafts.application_submit(
        application=make_draft(user_a, orderer, tokyo_branch), submitted_by=user_a
    )
    mail.outbox = []
    before = OutboxMessage.objects.count()
    queued: list[str] = []

    def fail_on_second_row(sender, instance, created, **kwargs):
        queued.append(instance.to)
        if len(queued) == 2:
            raise RuntimeError("the database went away")

    post_save.connect(fail_on_second_row, sender=OutboxMessage, dispatch_uid="test_rollback")
    try:
        # when
        with pytest.raises(RuntimeError):
            review.application_review_start(application=application, clerk=reviewer)
    finally:
        post_save.disconnect(sender=OutboxMessage, dispatch_uid="test_rollback")
    # then the first row is gone with the step, and nothing was sent
    assert queued == ALPHA
    assert OutboxMessage.objects.count() == before
    assert not OutboxMessage.objects.filter(kind=Kind.APPLICATION_IN_REVIEW).exists()
    assert mail.outbox == []
    application.refresh_from_db()
    assert application.state == "submitted"


def test_a_refused_transition_queues_nothing(submitted, reviewer, two_addresses):
    before = OutboxMessage.objects.count()
    with pytest.raises(ApplicationError):
        review.application_issue(application=submitted, clerk=reviewer)
    assert OutboxMessage.objects.count() == before


def test_notifying_the_same_transition_twice_queues_nothing_more(two_addresses, draft, user_a):
    # given a submission, mailed once to each address
    application = drafts.application_submit(application=draft, submitted_by=user_a)
    transition = application.transitions.get(event="submitted")
    # when the same step is notified again
    notices.notify(application=application, transition=transition)
    # then
    assert OutboxMessage.objects.filter(kind=Kind.APPLICATION_RECEIVED).count() == 2


def test_a_malformed_notice_address_is_skipped_and_does_not_block_the_step(
    user_a, orderer, tokyo_branch, contractor_a
):
    # given one good and one malformed address, and a duplicate in another case
    contractor_a.notice_emails = "keiri@alpha.example.jp\nnot an address\nKEIRI@alpha.example.jp"
    contractor_a.save(update_fields=["notice_emails"])
    draft = make_draft(user_a, orderer, tokyo_branch)
    # when
    drafts.application_submit(application=draft, submitted_by=user_a)
    # then
    assert [row.to for row in OutboxMessage.objects.all()] == ["keiri@alpha.example.jp"]


def test_the_whole_path_sends_the_expected_sequence_of_mails(submitted, user_a, reviewer, contractor_a):
    # given (one address) a path with a return and a resubmission
    review.application_review_start(application=submitted, clerk=reviewer)
    review.application_return(application=submitted, clerk=reviewer, comment="工期を確認してください")
    drafts.application_submit(application=submitted, submitted_by=user_a)
    # when
    application = _issue(submitted, reviewer)
    mail.outbox = []
    send_all()
    # then every step's mail went out, in order, and every row is sent
    address = contractor_a.notice_email_list[0]
    assert [message.to for message in mail.outbox] == [[address]] * 7
    subjects = [message.subject for message in mail.outbox]
    work = "（国道〇号線 道路改良工事 その1）"
    assert subjects[:6] == [
        f"【電子保証ポータル】e-Net申込を受け付けました{work}",
        f"【電子保証ポータル】e-Net申込の審査を開始しました{work}",
        f"【電子保証ポータル】e-Net申込を差し戻しました{work}",
        f"【電子保証ポータル】e-Net申込（再申込）を受け付けました{work}",
        f"【電子保証ポータル】e-Net申込の審査を開始しました{work}",
        f"【電子保証ポータル】保証料 23,800円のお支払いのお願い{work}",
    ]
    number = application.guarantee.number
    assert subjects[6] == f"【電子保証ポータル】保証契約を発行しました（保証契約番号 {number}）"
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxMessage.State.SENT}


class _SMTPServer(SMTPServer):
    """The mail tests' recording server, on a port of this area's range (8950–8979)."""

    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=free_port(range(8950, 8980)))


@pytest.fixture
def smtp_server(settings) -> Iterator[SMTPServer]:
    server = _SMTPServer()
    server.start()
    settings.MAILERS = server.mailers()
    yield server
    server.stop()


def test_the_issue_mail_goes_out_through_a_real_smtp_server(submitted, reviewer, smtp_server, two_addresses):
    # given
    application = _issue(submitted, reviewer)
    OutboxMessage.objects.exclude(kind=Kind.APPLICATION_ISSUED).delete()
    # when
    send_all()
    # then each address got its own message, with the number and without the key
    received = smtp_server.handler.received
    assert sorted(item.rcpt_tos[0] for item in received) == ALPHA
    number = application.guarantee.number
    key = live_key(application.guarantee)
    for item in received:
        assert item.subject == f"【電子保証ポータル】保証契約を発行しました（保証契約番号 {number}）"
        assert f"保証契約番号は {number} です。" in item.text
        assert key not in item.text
        assert key not in item.html
    assert len({item.key for item in received}) == 2
