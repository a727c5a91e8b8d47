"""Webhooks: signed, sent through an outbox with retries, visible to staff; a real receiver on loopback."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
import time_machine
from django.utils import timezone

from apiclients import services, webhooks
from apiclients.models import WebhookDelivery
from apiclients.selectors import TOKYO
from guarantees.services import guarantee_cancel
from tests.apiclients.conftest import current_guarantee, example_client, registered_system
from tests.apiclients.helpers import verify
from tests.apiclients.receiver import start_receiver
from tests.verification.helpers import KEY

pytestmark = pytest.mark.django_db
signature_is_valid = example_client().signature_is_valid


def _time_passes() -> None:
    """The retry's backoff is over."""
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())


@pytest.fixture
def receiver():
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def watching(receiver):
    """A system with a webhook that verified a guarantee in force."""
    system = registered_system(webhook_url=receiver.url)
    guarantee = current_guarantee()
    assert verify(_http(), guarantee.number, KEY, **system.auth).status_code == 200
    return system, guarantee


def _http():
    from django.test import Client

    return Client(REMOTE_ADDR="203.0.113.5")


def test_a_cancellation_is_posted_signed_with_the_clients_secret(receiver, watching):
    system, guarantee = watching
    # when the guarantee is cancelled and the worker sends what is due
    guarantee_cancel(guarantee=guarantee, cancelled_by=None, reason="工事の中止")
    delivered, more = webhooks.webhooks_send_due()
    # then the receiver got one POST whose signature checks with the client's secret
    assert (delivered, more) == (1, False)
    [request] = receiver.requests
    timestamp = request.headers["X-Portal-Timestamp"]
    signature = request.headers["X-Portal-Signature"]
    secret = system.credentials.webhook_secret
    assert signature_is_valid(secret=secret, timestamp=timestamp, body=request.body, signature=signature)
    assert abs(int(timestamp) - time.time()) < 60
    # and a changed body, another secret or an old timestamp do not check
    assert not signature_is_valid(
        secret=secret, timestamp=timestamp, body=request.body + b" ", signature=signature
    )
    assert not signature_is_valid(
        secret="whsec_other", timestamp=timestamp, body=request.body, signature=signature
    )
    assert not signature_is_valid(
        secret=secret, timestamp=timestamp, body=request.body, signature=signature, now=int(timestamp) + 3600
    )
    event = json.loads(request.body)["event"]
    assert (event["type"], event["contract_number"], event["status"]) == (
        "cancelled",
        guarantee.number,
        "cancelled",
    )
    assert WebhookDelivery.objects.get().state == "sent"


def test_a_refusing_receiver_gets_the_delivery_again_until_it_takes_it(receiver, watching):
    _system, guarantee = watching
    receiver.answers = [500, 503]
    guarantee_cancel(guarantee=guarantee, cancelled_by=None, reason="工事の中止")
    # first try: 500 → retry
    assert webhooks.webhooks_send_due() == (0, False)
    row = WebhookDelivery.objects.get()
    assert (row.state, row.attempts, row.last_status) == ("retry", 1, 500)
    # not sent again before its backoff is over
    assert webhooks.webhooks_send_due() == (0, False)
    assert len(receiver.requests) == 1
    # second: 503 → retry; third: taken
    _time_passes()
    webhooks.webhooks_send_due()
    _time_passes()
    assert webhooks.webhooks_send_due() == (1, False)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_status) == ("sent", 3, 204)
    # the same event each time, with the same signature scheme
    assert len({json.loads(r.body)["event"]["id"] for r in receiver.requests}) == 1
    assert len(receiver.requests) == 3


def test_a_receiver_that_never_answers_well_fails_after_the_last_attempt(receiver, watching, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    _system, guarantee = watching
    receiver.answers = [500] * 5
    guarantee_cancel(guarantee=guarantee, cancelled_by=None, reason="工事の中止")
    webhooks.webhooks_send_due()
    _time_passes()
    webhooks.webhooks_send_due()
    row = WebhookDelivery.objects.get()
    assert row.state == "failed"
    assert "gave up" in row.last_error
    # staff can send it again from admin
    assert services.webhooks_resend(delivery_ids=[row.pk]) == 1
    receiver.answers = []
    assert webhooks.webhooks_send_due() == (1, False)


def test_a_closed_port_is_retried_not_lost(watching, settings):
    system, guarantee = watching
    system.client.webhook_url = "http://127.0.0.1:8499/nothing-listens"
    system.client.save()
    guarantee_cancel(guarantee=guarantee, cancelled_by=None, reason="工事の中止")
    webhooks.webhooks_send_due()
    row = WebhookDelivery.objects.get()
    assert row.state == "retry"
    assert "URLError" in row.last_error or "Connection" in row.last_error


def test_a_rolled_back_cancellation_queues_nothing(watching):
    from django.db import transaction

    _system, guarantee = watching

    def cancel_then_fail() -> None:
        with transaction.atomic():
            guarantee_cancel(guarantee=guarantee, cancelled_by=None, reason="工事の中止")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        cancel_then_fail()
    assert WebhookDelivery.objects.count() == 0


def test_expiry_webhooks_go_out_once_for_periods_that_ended(receiver):
    system = registered_system(webhook_url=receiver.url)
    today = timezone.localdate()
    ending = current_guarantee(
        guarantee_period_end=today + dt.timedelta(days=3), construction_end_date=today + dt.timedelta(days=3)
    )
    assert verify(_http(), ending.number, KEY, **system.auth).status_code == 200
    after = dt.datetime.combine(
        ending.guarantee_period_end + dt.timedelta(days=1), dt.time(0, 5), tzinfo=TOKYO
    )
    with time_machine.travel(after, tick=False):
        # the daily job, run twice, queues one delivery
        assert services.webhooks_queue_expiries() == 1
        services.webhooks_queue_expiries()
        assert WebhookDelivery.objects.count() == 1
        assert webhooks.webhooks_send_due() == (1, False)
    event = json.loads(receiver.requests[0].body)["event"]
    assert (event["type"], event["contract_number"]) == ("expired", ending.number)


def test_staff_see_the_deliveries_in_admin(admin_client, receiver, watching):
    _system, guarantee = watching
    guarantee_cancel(guarantee=guarantee, cancelled_by=None, reason="工事の中止")
    response = admin_client.get("/admin/apiclients/webhookdelivery/")
    assert response.status_code == 200
    row = WebhookDelivery.objects.get()
    assert row.event_id in response.content.decode()
    detail = admin_client.get(f"/admin/apiclients/webhookdelivery/{row.pk}/change/")
    assert detail.status_code == 200
