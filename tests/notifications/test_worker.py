"""Proof with a real Celery worker process, the real Redis broker and a real SMTP server.

The worker runs ``celery -A config worker`` against the test database (these tests commit, so it sees
their data) and mails the loopback SMTP server of the test.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import GuaranteeChanges, guarantee_change
from notifications import services
from notifications.models import ChangeSubscription, NoticeRun, OutboxMessage
from notifications.tasks import outbox_send_task, registration_notice_task
from tests.factories import ContractorFactory, issue_guarantee

pytestmark = pytest.mark.django_db(transaction=True)
State = OutboxMessage.State


def yesterday_morning() -> dt.datetime:
    today = timezone.localdate()
    return dt.datetime.combine(today - dt.timedelta(days=1), dt.time(10), tzinfo=ZoneInfo("Asia/Tokyo"))


def wait_until(condition, *, timeout: float = 60.0, kick: bool = False) -> bool:
    """Poll ``condition``; with ``kick``, start a send job every second as beat's sweep would."""
    deadline = time.monotonic() + timeout
    last_kick = 0.0
    while time.monotonic() < deadline:
        if condition():
            return True
        if kick and time.monotonic() - last_kick > 1:
            outbox_send_task.delay()
            last_kick = time.monotonic()
        time.sleep(0.1)
    return False


def all_sent() -> bool:
    return not OutboxMessage.objects.exclude(state=State.SENT).exists()


def test_two_jobs_started_at_once_deliver_each_mail_exactly_once(start_worker, smtp, orderer):
    # given eight contractors with two versions each, registered yesterday and not announced
    contractors = [ContractorFactory() for _ in range(8)]
    with time_machine.travel(yesterday_morning(), tick=False):
        for contractor in contractors:
            issue_guarantee(contractor=contractor, orderer=orderer)
            issue_guarantee(contractor=contractor, orderer=orderer)
    # and a worker with two processes taking two mails at a time
    start_worker(pool="prefork", concurrency=2, NOTIFICATIONS_BATCH_SIZE="2")

    # when two notice jobs are started at once (as two beat instances would)
    registration_notice_task.delay()
    registration_notice_task.delay()

    # then every contractor gets exactly one mail, and every version was announced once
    assert wait_until(lambda: len(smtp.handler.received) >= 8 and all_sent())
    keys = smtp.handler.keys()
    assert len(keys) == 8
    assert len(set(keys)) == 8
    assert sorted(item.rcpt_tos[0] for item in smtp.handler.received) == sorted(
        c.notice_email_list[0] for c in contractors
    )
    assert sorted(NoticeRun.objects.values_list("certificates", flat=True)) == [0, 16]


def test_two_send_jobs_at_once_never_take_the_same_mail(start_worker, smtp):
    # given a worker with two processes and forty queued mails
    start_worker(pool="prefork", concurrency=2, NOTIFICATIONS_BATCH_SIZE="3")
    with transaction.atomic():
        queue(40)

    # when two more send jobs start at once beside the one the commit started
    outbox_send_task.delay()
    outbox_send_task.delay()

    # then each mail arrived exactly once
    assert wait_until(lambda: all_sent() and len(smtp.handler.received) >= 40)
    assert sorted(Counter(smtp.handler.keys()).values()) == [1] * 40


def queue(n: int) -> list[str]:
    keys = [f"worker-test:{i}" for i in range(n)]
    for i, key in enumerate(keys):
        services.notification_enqueue(
            kind=OutboxMessage.Kind.REGISTRATION_NOTICE,
            idempotency_key=key,
            to=f"user{i}@example.jp",
            context={
                "contractor_name": f"株式会社{i}",
                "notice_date": "2026-07-01",
                "items": [],
                "portal_url": "/",
            },
        )
    return keys


def test_killing_the_worker_mid_batch_loses_nothing_and_repeats_at_most_the_mail_in_flight(
    start_worker, smtp
):
    # given a worker sending ten mails, and a server that hangs on the fourth after taking it in
    smtp.handler.stall_at = 4
    worker = start_worker(pool="solo")
    with transaction.atomic():
        keys = queue(10)

    # when the worker is killed (SIGKILL) while the fourth mail is in flight
    assert smtp.handler.stalled.wait(60), "the worker never reached the fourth mail"
    worker.kill()
    smtp.handler.stall_at = None
    smtp.handler.release.set()
    states = Counter(OutboxMessage.objects.values_list("state", flat=True))
    assert states == {State.SENT: 3, State.SENDING: 7}

    # and a new worker starts (its lease on dead workers' rows shortened for the test)
    start_worker(pool="solo", NOTIFICATIONS_SENDING_LEASE_SECONDS="2")

    # then every mail arrives, and only the one in flight may have arrived twice
    assert wait_until(all_sent, kick=True)
    received = Counter(smtp.handler.keys())
    assert set(received) == set(keys)
    assert sum(received.values()) - len(keys) <= 1
    assert all(count == 1 for key, count in received.items() if key != keys[3])


def test_a_rolled_back_issuance_sends_nothing(start_worker, smtp, contractor_a, orderer):
    # given a subscribed guarantee and a running worker
    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer)
    ChangeSubscription.objects.create(
        guarantee=guarantee, email="watch@example.go.jp", confirmed_at=timezone.now()
    )
    start_worker(pool="solo")

    # when an issuance and a change are rolled back, and then another change is committed
    with pytest.raises(RuntimeError):
        issue_and_change_then_fail(guarantee, contractor=contractor_a, orderer=orderer)
    guarantee_change(
        guarantee=guarantee, changes=GuaranteeChanges(guarantee_amount=35_000_000), changed_by=None
    )

    # then only the committed change was mailed
    assert wait_until(lambda: len(smtp.handler.received) >= 1 and all_sent())
    [mail] = smtp.handler.received
    assert "35,000,000" in mail.text
    assert OutboxMessage.objects.count() == 1
    assert Certificate.objects.count() == 2  # version 1 and the committed (変更) version 2


def issue_and_change_then_fail(guarantee, *, contractor, orderer) -> None:
    """A new issuance and a change in one transaction that then fails."""
    with transaction.atomic():
        issue_guarantee(contractor=contractor, orderer=orderer)
        guarantee_change(
            guarantee=guarantee, changes=GuaranteeChanges(guarantee_amount=30_000_000), changed_by=None
        )
        raise RuntimeError("the issuing transaction fails")
