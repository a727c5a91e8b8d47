"""A real SMTP server that answers 421 (try later) or 550 (never): what the contractor sees, and
that no mail is lost or sent twice — for a key submission and for the 16:00 notice."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import NoticeRun, OutboxMessage
from notifications.outbox import outbox_send_due
from notifications.services import registration_notice_run
from tests.factories import ContractorFactory, DepartmentFactory, issue_guarantee
from tests.notifications.smtp import RecordingHandler, SMTPServer

State = OutboxMessage.State
pytestmark = pytest.mark.django_db

CLOSING = "421 4.3.2 Service not available, closing transmission channel"


@dataclass
class TiringHandler(RecordingHandler):
    """Accepts ``accept`` messages, then answers every MAIL FROM with 421 until ``accept`` is None."""

    accept: int | None = None

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: Any
    ) -> str:
        if self.accept is not None and len(self.received) >= self.accept:
            return CLOSING
        return await super().handle_MAIL(server, session, envelope, address, mail_options)


@pytest.fixture
def tiring_smtp(settings):
    server = SMTPServer()
    server.handler = TiringHandler()
    server.controller.handler = server.handler
    server.start()
    settings.MAILERS = server.mailers()
    yield server
    server.stop()


def sweep() -> None:
    more = True
    while more:
        _report, more = outbox_send_due(max_seconds=30)


def at(hour: int) -> dt.datetime:
    """A fixed day of the tests' own (any real day works: fixtures are built inside the travel)."""
    return dt.datetime(2026, 7, 1, hour, tzinfo=ZoneInfo("Asia/Tokyo"))


def later(minutes: int) -> time_machine.travel:
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes))


@pytest.fixture
def guarantee(contractor_a, orderer):
    department = DepartmentFactory(orderer=orderer, name="建設課", email="kensetsu@city.example.lg.jp")
    return issue_guarantee(contractor=contractor_a, orderer=orderer, orderer_department=department)


def test_a_submission_while_smtp_answers_421_is_shown_as_submitted_and_delivered_once_later(
    smtp_mail, client, user_a, guarantee
):
    # given an SMTP server that answers every message with 421
    smtp_mail.handler.mail_reply = CLOSING
    client.force_login(user_a)

    # when the contractor submits (the mail goes out in-process right after the commit) and the
    # sweep tries again while the server still refuses
    response = client.post(reverse("notifications:submit", args=[guarantee.pk]), {"next": "/"}, follow=True)
    sweep()

    # then the contractor was told it was submitted, and the mail waits for a retry
    assert "へ認証キーを提出しました" in response.content.decode()
    [row] = OutboxMessage.objects.all()
    assert row.state == State.RETRY
    assert "421" in row.last_error
    assert smtp_mail.handler.received == []

    # when the server accepts again and the sweeps after the backoff run
    smtp_mail.handler.mail_reply = None
    with later(60):
        sweep()
    with later(120):
        sweep()

    # then the orderer got the mail exactly once
    assert [item.rcpt_tos for item in smtp_mail.handler.received] == [["kensetsu@city.example.lg.jp"]]
    row.refresh_from_db()
    assert row.state == State.SENT


def test_a_submission_to_an_address_refused_with_550_fails_that_mail_visibly_for_staff(
    smtp_mail, client, user_a, guarantee, head_office
):
    # given an SMTP server that refuses the department's address for good
    smtp_mail.handler.refuse["kensetsu@city.example.lg.jp"] = "550 5.1.1 User unknown"
    client.force_login(user_a)

    # when the contractor submits and the sweeps run
    response = client.post(reverse("notifications:submit", args=[guarantee.pk]), {"next": "/"}, follow=True)
    sweep()
    with later(60):
        sweep()

    # then the submission is recorded, the mail failed once (no retries of a permanent refusal)
    assert response.status_code == 200
    [row] = OutboxMessage.objects.all()
    assert (row.state, row.attempts) == (State.FAILED, 1)
    assert "550" in row.last_error
    assert smtp_mail.handler.received == []
    # and staff see the failure with the server's reason in the mail queue
    client.force_login(head_office)
    page = client.get(reverse("admin:notifications_outboxmessage_changelist"), {"state__exact": "failed"})
    assert page.status_code == 200
    assert "kensetsu@city.example.lg.jp" in page.content.decode()


def test_the_1600_notice_with_smtp_tiring_halfway_loses_and_doubles_nothing(tiring_smtp, orderer):
    # given 12 contractors with a new certificate each, and a server that takes 5 mails, then 421
    with time_machine.travel(at(10), tick=False):
        for n in range(12):
            contractor = ContractorFactory(notice_emails=f"keiri{n}@example.jp")
            issue_guarantee(contractor=contractor, orderer=orderer)
    tiring_smtp.handler.accept = 5

    # when the 16:00 job runs and its mails are sent, the server tires, and the job is even
    # triggered a second time
    with time_machine.travel(at(16), tick=False):
        run = registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
        sweep()
        again = registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
    assert len(tiring_smtp.handler.received) == 5
    assert OutboxMessage.objects.filter(state=State.RETRY).count() == 7

    # and the server recovers and the sweeps after the backoff run
    tiring_smtp.handler.accept = None
    for hour in (17, 19):
        with time_machine.travel(at(hour), tick=False):
            sweep()

    # then every contractor got exactly one notice
    assert (run.messages, again.messages) == (12, 0)
    delivered = Counter(item.rcpt_tos[0] for item in tiring_smtp.handler.received)
    assert delivered == Counter({f"keiri{n}@example.jp": 1 for n in range(12)})
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {State.SENT}
