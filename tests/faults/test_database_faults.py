"""PostgreSQL connections terminated mid-job (``pg_terminate_backend`` of the backend this test's
own worker thread uses): the outbox sender and the 16:00 notice lose nothing and double nothing."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import NoticeRun, OutboxMessage, RegistrationNoticeItem
from notifications.outbox import outbox_send_due
from notifications.services import registration_notice_run
from tests.factories import ContractorFactory, issue_guarantee

State = OutboxMessage.State
pytestmark = pytest.mark.django_db(transaction=True)


def at(hour: int) -> dt.datetime:
    return dt.datetime(2026, 7, 1, hour, tzinfo=ZoneInfo("Asia/Tokyo"))


class Worker(threading.Thread):
    """Runs one job on its own database connection, as a Celery worker process would."""

    def __init__(self, job: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.job = job
        self.backend_pid: int | None = None
        self.ready = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend_pid = cursor.fetchone()[0]
            self.ready.set()
            self.job()
        except BaseException as exc:  # the terminated connection
            self.error = exc
        finally:
            self.ready.set()
            connection.close()


def terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True


def sweep() -> None:
    more = True
    while more:
        _report, more = outbox_send_due(max_seconds=30)


def queue(n: int) -> None:
    """``n`` due mails in the outbox, as the actions leave them (no sender started here)."""
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=OutboxMessage.Kind.REGISTRATION_NOTICE,
            idempotency_key=f"fault:{i}",
            to=f"keiri{i}@example.jp",
            context={
                "contractor_name": f"株式会社{i}",
                "notice_date": "2026-07-01",
                "items": [],
                "portal_url": "/",
            },
            next_attempt_at=timezone.now(),
        )
        for i in range(n)
    )


def test_the_sender_killed_mid_batch_loses_nothing_and_only_the_mail_in_flight_can_repeat(smtp_mail):
    # given six queued mails and an SMTP server that hangs on the third message it receives
    queue(6)
    smtp_mail.handler.stall_at = 3

    # when a worker sends them and its database connection is terminated while the third is in flight
    worker = Worker(lambda: outbox_send_due(max_seconds=30))
    worker.start()
    assert smtp_mail.handler.stalled.wait(20)
    assert worker.backend_pid is not None
    terminate(worker.backend_pid)
    smtp_mail.handler.release.set()
    worker.join(20)

    # then the worker died on the database, two mails are recorded sent, the rest wait in "sending"
    assert worker.error is not None
    states = Counter(OutboxMessage.objects.values_list("state", flat=True))
    assert states == Counter({State.SENT: 2, State.SENDING: 4})

    # when the lease has run out and the sweep runs (twice)
    lease = dt.timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS + 5)
    with time_machine.travel(timezone.now() + lease):
        sweep()
        sweep()

    # then every mail was delivered; only the one in flight when the worker died came twice, with
    # the same Message-ID (so the receiving mail system shows it once)
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {State.SENT}
    copies = Counter(smtp_mail.handler.keys())
    assert set(copies) == {f"fault:{i}" for i in range(6)}
    assert sorted(copies.values()) == [1, 1, 1, 1, 1, 2]
    [repeated] = [key for key, count in copies.items() if count == 2]
    message_ids = {
        str(item.message["Message-ID"]) for item in smtp_mail.handler.received if item.key == repeated
    }
    assert len(message_ids) == 1


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def test_the_1600_job_killed_mid_run_leaves_nothing_half_done_and_the_next_run_sends_each_notice_once(
    smtp_mail, orderer
):
    # given eight contractors with a new certificate each
    with time_machine.travel(at(10), tick=False):
        for n in range(8):
            issue_guarantee(
                contractor=ContractorFactory(notice_emails=f"keiri{n}@example.jp"), orderer=orderer
            )

    with time_machine.travel(at(16), tick=False):
        # when the 16:00 job has announced the versions and waits to queue its mails (the outbox
        # table held by this test), and its database connection is terminated there
        worker = Worker(lambda: registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE notifications_outboxmessage IN SHARE MODE")
            worker.start()
            assert worker.ready.wait(20)
            assert worker.backend_pid is not None
            deadline = time.monotonic() + 20
            while not _waiting_on_a_lock(worker.backend_pid):
                assert time.monotonic() < deadline, "the job never reached the outbox"
                time.sleep(0.05)
            terminate(worker.backend_pid)
        worker.join(20)

        # then the job failed and nothing of it is stored: no run, no announcement, no mail
        assert worker.error is not None
        assert NoticeRun.objects.count() == 0
        assert RegistrationNoticeItem.objects.count() == 0
        assert OutboxMessage.objects.count() == 0

        # when the job runs again (the task's next run) and the queue is swept twice
        run = registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
        sweep()
        sweep()

    # then each contractor got exactly one notice
    assert (run.certificates, run.messages) == (8, 8)
    delivered = Counter(item.rcpt_tos[0] for item in smtp_mail.handler.received)
    assert delivered == Counter({f"keiri{n}@example.jp": 1 for n in range(8)})
