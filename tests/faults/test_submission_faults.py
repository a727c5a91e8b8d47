"""Redis (the broker) down or hanging while a request commits: the user is told the truth (it
worked), the outbox row is there once, and the periodic sweep sends it — once."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import KeySubmission, OutboxMessage
from notifications.outbox import outbox_send_due
from notifications.services import outbox_resend
from notifications.tasks import outbox_send_task
from tests.factories import DepartmentFactory, issue_guarantee

from .conftest import FAULTS, break_redis

# The request's own transaction must really commit (and run its after-commit work) inside the view.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def guarantee(contractor_a, orderer):
    department = DepartmentFactory(orderer=orderer, name="建設課", email="kensetsu@city.example.lg.jp")
    return issue_guarantee(contractor=contractor_a, orderer=orderer, orderer_department=department)


def sweep() -> None:
    """What Celery beat's outbox sweep does every minute."""
    more = True
    while more:
        _report, more = outbox_send_due(max_seconds=30)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_submission_with_the_broker_down_says_it_was_submitted_and_the_sweep_sends_it_once(
    broker, smtp_mail, client, user_a, guarantee, caplog, fault
):
    # given the contractor on the key screen, and the broker stopped or paused
    client.force_login(user_a)
    break_redis(broker, fault)

    # when they press 「発注者へ提出」, and (not trusting it) press it again
    with caplog.at_level(logging.WARNING, logger="portal.after_commit"):
        first = client.post(reverse("notifications:submit", args=[guarantee.pk]), {"next": "/"}, follow=True)
        second = client.post(reverse("notifications:submit", args=[guarantee.pk]), {"next": "/"}, follow=True)

    # then both answers are the success page, never the error page
    for response in (first, second):
        assert response.status_code == 200
        assert "へ認証キーを提出しました" in response.content.decode()
    # and one submission with one queued mail is stored, the failed hand-over logged
    assert KeySubmission.objects.count() == 1
    [row] = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.KEY_SUBMISSION)
    assert row.state == OutboxMessage.State.QUEUED
    assert any("starting the mail sender failed" in record.getMessage() for record in caplog.records)
    assert smtp_mail.handler.received == []

    # when Redis is back and the periodic sweep runs (twice, as beat would)
    broker.resume()
    sweep()
    sweep()

    # then the orderer got exactly one mail
    assert [item.rcpt_tos for item in smtp_mail.handler.received] == [["kensetsu@city.example.lg.jp"]]
    row.refresh_from_db()
    assert row.state == OutboxMessage.State.SENT


def test_with_the_broker_up_the_submission_hands_the_mail_to_a_worker(broker, client, user_a, guarantee):
    # given a working broker (the contrast to the faults above: the kick does reach Redis)
    client.force_login(user_a)

    # when the contractor submits
    response = client.post(reverse("notifications:submit", args=[guarantee.pk]), {"next": "/"})

    # then the task waits on the broker's queue for a worker
    assert response.status_code == 302
    assert broker.client().llen("celery") >= 1


@pytest.mark.parametrize("fault", FAULTS)
def test_issuing_a_certificate_with_the_broker_down_keeps_the_certificate(
    broker, contractor_a, orderer, fault
):
    # given the broker stopped or paused
    break_redis(broker, fault)

    # when staff issue a certificate (its PDF is normally rendered by a worker)
    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer)

    # then the certificate and its key are stored; the first download renders the PDF instead
    assert guarantee.certificates.count() == 1
    assert guarantee.auth_keys.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_staffs_resend_with_the_broker_down_queues_the_mail_again(broker, smtp_mail, fault):
    # given a failed mail, and the broker stopped or paused
    row = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.KEY_SUBMISSION,
        idempotency_key="fault:resend",
        to="kensetsu@city.example.lg.jp",
        context={"submission_id": 0},
        state=OutboxMessage.State.FAILED,
        attempts=8,
        next_attempt_at=timezone.now(),
    )
    break_redis(broker, fault)

    # when staff resend it
    count = outbox_resend(message_ids=[row.pk])

    # then it is queued again for the sweep, not lost in the broker's failure
    row.refresh_from_db()
    assert (count, row.state, row.attempts) == (1, OutboxMessage.State.QUEUED, 0)


def test_the_sweep_task_itself_runs_without_the_broker(broker, smtp_mail, user_a, guarantee):
    # given a queued mail and the broker stopped (beat cannot reach it either)
    from notifications.submissions import key_submission_submit

    key_submission_submit(guarantee=guarantee, submitted_by=user_a)
    broker.stop()

    # when the sweep runs (e.g. started by hand: celery call / manage.py shell)
    result = outbox_send_task.run()

    # then the mail is sent once
    assert result["sent"] == 1
    assert len(smtp_mail.handler.received) == 1
