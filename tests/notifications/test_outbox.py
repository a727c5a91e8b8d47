"""The outbox against a real SMTP server: sent once, 421 waits, 550 fails one alone, resend."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from certificates.models import Certificate
from certificates.services import GuaranteeChanges, guarantee_change
from notifications import outbox, services
from notifications.models import ChangeSubscription, OutboxMessage
from tests.factories import issue_guarantee

from .helpers import send_all

State = OutboxMessage.State
pytestmark = pytest.mark.django_db


def enqueue(n: int, *, prefix: str = "test", to: list[str] | None = None) -> list[OutboxMessage]:
    rows = []
    for i in range(n):
        address = to[i] if to else f"user{i}@example.jp"
        rows.append(
            services.notification_enqueue(
                kind=OutboxMessage.Kind.REGISTRATION_NOTICE,
                idempotency_key=f"{prefix}:{i}",
                to=address,
                context={
                    "contractor_name": f"株式会社テスト{i}",
                    "notice_date": "2026-07-01",
                    "items": [],
                    "portal_url": "http://127.0.0.1:8000/",
                },
            )
        )
    return rows


def test_a_queued_mail_is_sent_once_and_the_same_key_queues_nothing_more(smtp_mail):
    # given a mail queued twice under the same idempotency key
    first = enqueue(1)[0]
    again = enqueue(1)[0]

    # when the queue is sent, twice
    send_all()
    send_all()

    # then one row, one delivery, recorded as sent with its subject
    assert again.pk == first.pk
    assert OutboxMessage.objects.count() == 1
    assert smtp_mail.handler.keys() == ["test:0"]
    first.refresh_from_db()
    assert first.state == State.SENT
    assert first.sent_at is not None
    assert "登録お知らせ" in first.subject


def test_smtp_answering_421_leaves_every_mail_queued_for_retry(smtp_mail):
    # given three mails and a server that answers 421 to everything
    enqueue(3)
    smtp_mail.handler.mail_reply = "421 4.3.2 Service not available, closing transmission channel"

    # when a worker tries to send them
    before = timezone.now()
    send_all()

    # then nothing was delivered and every mail waits for a retry later, nothing failed
    assert smtp_mail.handler.received == []
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert {row.state for row in rows} == {State.RETRY}
    assert all(row.next_attempt_at > before for row in rows)
    assert "421" in rows[0].last_error
    assert [row.attempts for row in rows] == [1, 0, 0]

    # and when the server is back and the backoff has passed, each goes out once
    smtp_mail.handler.mail_reply = None
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1)):
        send_all()
    assert sorted(smtp_mail.handler.keys()) == ["test:0", "test:1", "test:2"]
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {State.SENT}


def test_a_550_for_one_recipient_fails_that_mail_alone(smtp_mail):
    # given three mails, the middle one to an address the server refuses for good
    smtp_mail.handler.refuse["nobody@example.jp"] = "550 5.1.1 User unknown"
    enqueue(3, to=["a@example.jp", "nobody@example.jp", "c@example.jp"])

    # when they are sent
    send_all()

    # then the other two arrive and only the refused one failed, with the server's reason
    assert sorted(item.rcpt_tos[0] for item in smtp_mail.handler.received) == ["a@example.jp", "c@example.jp"]
    states = dict(OutboxMessage.objects.values_list("to", "state"))
    assert states == {
        "a@example.jp": State.SENT,
        "nobody@example.jp": State.FAILED,
        "c@example.jp": State.SENT,
    }
    assert "550" in OutboxMessage.objects.get(to="nobody@example.jp").last_error


def test_a_hung_smtp_server_times_out_and_the_mail_waits_for_a_retry(smtp, settings):
    # given a server that takes the message and then never answers, and a one-second SMTP timeout
    settings.MAILERS = smtp.mailers(timeout=1)
    smtp.handler.stall_at = 1
    enqueue(2)

    # when a worker sends
    send_all()

    # then the worker gave up on the connection instead of hanging, and both mails wait for a retry
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {State.RETRY}


def test_staff_resend_queues_a_failed_mail_again(smtp_mail, head_office, client):
    # given a mail that failed for good
    smtp_mail.handler.refuse["nobody@example.jp"] = "550 5.1.1 User unknown"
    row = enqueue(1, to=["nobody@example.jp"])[0]
    send_all()
    row.refresh_from_db()
    assert row.state == State.FAILED

    # when the address is fixed on the server side and staff resend it from admin
    del smtp_mail.handler.refuse["nobody@example.jp"]
    client.force_login(head_office)
    response = client.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "resend", "_selected_action": [row.pk]},
    )
    send_all()

    # then it was queued again and delivered
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == State.SENT
    assert smtp_mail.handler.keys() == ["test:0"]


def test_every_attempt_of_a_mail_carries_the_same_message_id(smtp_mail):
    # given a mail delivered, then delivered again as if the first result had been lost
    row = enqueue(1)[0]
    send_all()
    OutboxMessage.objects.filter(pk=row.pk).update(state=State.QUEUED)
    send_all()

    # then a receiver can drop the repeat: both copies have one Message-ID
    ids = {str(item.message["Message-ID"]) for item in smtp_mail.handler.received}
    assert len(smtp_mail.handler.received) == 2
    assert len(ids) == 1


def test_a_row_left_sending_by_a_dead_worker_is_taken_again_after_the_lease(smtp_mail, settings):
    # given a mail a worker claimed and then died with
    enqueue(1)
    claimed = outbox.outbox_claim(limit=10)
    assert [row.state for row in claimed] == [State.SENDING]

    # when another worker looks before and after the lease
    send_all()
    delivered_before = len(smtp_mail.handler.received)
    with time_machine.travel(
        timezone.now() + dt.timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS + 1)
    ):
        send_all()

    # then it is left alone while the first worker may still be at it, and sent after
    assert delivered_before == 0
    assert smtp_mail.handler.keys() == ["test:0"]


def test_an_invalid_address_is_refused_when_queued():
    with pytest.raises(services.NotificationError) as excinfo:
        enqueue(1, to=["not an address"])
    assert excinfo.value.code == "invalid_address"


@given(attempts=st.integers(min_value=1, max_value=200))
def test_the_backoff_grows_and_stays_capped(attempts):
    from django.conf import settings

    assert outbox.backoff_seconds(attempts) >= settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    assert outbox.backoff_seconds(attempts) <= settings.NOTIFICATIONS_RETRY_MAX_SECONDS
    assert outbox.backoff_seconds(attempts) <= outbox.backoff_seconds(attempts + 1)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_issuance_and_change_send_nothing(smtp_mail, orderer, contractor_a):
    # given a guarantee an orderer subscribed to
    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer)
    ChangeSubscription.objects.create(
        guarantee=guarantee, email="watch@example.go.jp", confirmed_at=timezone.now()
    )

    # when a new issuance and a change run in a transaction that rolls back
    with pytest.raises(RuntimeError):
        issue_and_change_then_fail(guarantee, contractor=contractor_a, orderer=orderer)
    send_all()

    # then nothing of it is left and no mail was queued or sent
    assert Certificate.objects.count() == 1
    assert not OutboxMessage.objects.exists()
    assert smtp_mail.handler.received == []

    # and the same change committed does send it (the test can fail)
    guarantee_change(
        guarantee=guarantee, changes=GuaranteeChanges(guarantee_amount=30_000_000), changed_by=None
    )
    send_all()
    assert [item.rcpt_tos for item in smtp_mail.handler.received] == [["watch@example.go.jp"]]


def issue_and_change_then_fail(guarantee, *, contractor, orderer) -> None:
    """A new issuance and a change in one transaction that then fails."""
    with transaction.atomic():
        issue_guarantee(contractor=contractor, orderer=orderer)
        guarantee_change(
            guarantee=guarantee, changes=GuaranteeChanges(guarantee_amount=30_000_000), changed_by=None
        )
        raise RuntimeError("the clerk's transaction fails")
