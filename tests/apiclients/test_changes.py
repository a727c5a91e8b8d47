"""GET /api/v1/changes: new versions, 解約, 取消 and 満了 for the guarantees a client verified."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apiclients.selectors import TOKYO
from certificates.services import GuaranteeChanges, guarantee_change
from guarantees.services import guarantee_cancel, guarantee_revoke
from tests.apiclients.conftest import current_guarantee
from tests.apiclients.helpers import changes, verify
from tests.verification.helpers import KEY

pytestmark = pytest.mark.django_db


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def test_a_client_hears_of_new_versions_cancellations_and_revocations_of_what_it_verified(http, system):
    # given three guarantees the system verified, and one it did not
    changed, cancelled, revoked, unseen = (current_guarantee() for _ in range(4))
    for guarantee in (changed, cancelled, revoked):
        assert verify(http, guarantee.number, KEY, **system.auth).status_code == 200
    since = timezone.now()
    # when each of them changes after that time
    guarantee_change(
        guarantee=changed,
        changes=GuaranteeChanges(guarantee_amount=30_000_000, contract_amount_target=80_000_000),
        changed_by=None,
        reason="減額",
    )
    guarantee_cancel(guarantee=cancelled, cancelled_by=None, reason="工事の中止")
    guarantee_revoke(guarantee=revoked, revoked_by=None, reason="契約の解除")
    guarantee_cancel(guarantee=unseen, cancelled_by=None, reason="工事の中止")
    # then the feed since that time lists exactly those three, oldest first, with their status now
    response = changes(http, _iso(since), **system.auth)
    assert response.status_code == 200
    body = response.json()
    assert [(c["type"], c["contract_number"], c["status"]) for c in body["changes"]] == [
        ("new_version", changed.number, "changed"),
        ("cancelled", cancelled.number, "cancelled"),
        ("revoked", revoked.number, "revoked"),
    ]
    assert body["changes"][0]["version"] == 2
    assert body["more"] is False
    # and asking again from "until" gives nothing new, with the same ids if asked from the start
    assert changes(http, body["until"], **system.auth).json()["changes"] == []
    again = changes(http, _iso(since), **system.auth).json()["changes"]
    assert [c["id"] for c in again] == [c["id"] for c in body["changes"]]


def test_one_client_never_sees_another_clients_feed(http, system, other_system):
    # given a guarantee only the other system verified, then cancelled
    guarantee = current_guarantee()
    assert verify(http, guarantee.number, KEY, **other_system.auth).status_code == 200
    # and a guarantee this system verified only with a wrong key, and one it verified anonymously
    tried = current_guarantee()
    verify(http, tried.number, "R7MX3_P9TD+W", **system.auth)
    anonymous = current_guarantee()
    assert verify(http, anonymous.number, KEY).status_code == 200
    since = timezone.now()
    for g in (guarantee, tried, anonymous):
        guarantee_cancel(guarantee=g, cancelled_by=None, reason="工事の中止")
    # then this system's feed is empty and the other's has its one change
    assert changes(http, _iso(since), **system.auth).json()["changes"] == []
    theirs = changes(http, _iso(since), **other_system.auth).json()["changes"]
    assert [(c["type"], c["contract_number"]) for c in theirs] == [("cancelled", guarantee.number)]


def test_expiry_is_computed_from_the_date_for_periods_that_ended_since_the_time(http, system):
    # given two guarantees the system verified: one ending in 10 days, one in 40
    today = timezone.localdate()
    soon = current_guarantee(
        guarantee_period_end=today + dt.timedelta(days=10),
        construction_end_date=today + dt.timedelta(days=10),
    )
    later = current_guarantee(
        guarantee_period_end=today + dt.timedelta(days=40),
        construction_end_date=today + dt.timedelta(days=40),
    )
    for guarantee in (soon, later):
        assert verify(http, guarantee.number, KEY, **system.auth).status_code == 200
    # when the system asks, on the day after the first period ended, for changes since a week ago
    day_after = dt.datetime.combine(
        soon.guarantee_period_end + dt.timedelta(days=1), dt.time(9), tzinfo=TOKYO
    )
    with time_machine.travel(day_after, tick=False):
        body = changes(http, _iso(day_after - dt.timedelta(days=7)), **system.auth).json()
        # then the first one's 満了 is listed at the start of that day (Tokyo), the other not yet
        assert [(c["type"], c["contract_number"], c["status"]) for c in body["changes"]] == [
            ("expired", soon.number, "expired")
        ]
        moment = dt.datetime.fromisoformat(body["changes"][0]["occurred_at"])
        assert moment == dt.datetime.combine(day_after.date(), dt.time(0), tzinfo=TOKYO)
        # and asking since after that moment does not list it again
        assert changes(http, _iso(day_after - dt.timedelta(hours=1)), **system.auth).json()["changes"] == []
    # and a guarantee cancelled before its period ended never expires in the feed
    with time_machine.travel(day_after + dt.timedelta(days=20), tick=False):
        guarantee_cancel(guarantee=later, cancelled_by=None, reason="工事の中止")
    with time_machine.travel(day_after + dt.timedelta(days=40), tick=False):
        body = changes(http, _iso(day_after), **system.auth).json()
        assert [(c["type"], c["contract_number"]) for c in body["changes"]] == [("cancelled", later.number)]
    # while one cancelled after its period ended has both, in order
    with time_machine.travel(day_after + dt.timedelta(days=60), tick=False):
        guarantee_cancel(guarantee=soon, cancelled_by=None, reason="精算")
        body = changes(http, _iso(day_after - dt.timedelta(days=7)), **system.auth).json()
        assert [(c["type"], c["contract_number"]) for c in body["changes"]] == [
            ("expired", soon.number),
            ("cancelled", later.number),
            ("cancelled", soon.number),
        ]


@pytest.mark.parametrize("since", ["", "yesterday", "2026-13-01T00:00:00Z"])
def test_a_missing_or_unreadable_since_is_a_clear_error(http, system, since):
    response = changes(http, since, **system.auth)
    assert response.status_code == 400
    assert "since" in response.json()["errors"]


def test_a_since_without_offset_is_read_as_tokyo_time(http, system):
    body = changes(http, "2026-04-01T09:00:00", **system.auth).json()
    assert body["since"] == "2026-04-01T00:00:00Z"


def test_a_misspelt_parameter_is_refused_in_japanese_not_ignored(http, system):
    # when a client asks with a parameter the feed does not know, beside a valid since
    response = http.get("/api/v1/changes", {"since": "2026-01-01T00:00:00Z", "snice": "x"}, **system.auth)
    # then it is told which one, and nothing was read
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"snice": ["このパラメータは使えません（使えるのは since だけです）。"]}
