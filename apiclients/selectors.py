"""Reads for API clients: the client behind a key, and what changed for the guarantees it verified."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from certificates.models import Certificate
from guarantees.models import Guarantee
from verification import selectors as verification_selectors
from verification.models import VerificationAttempt

from . import credentials
from .models import ApiClient, ApiKey, ChangeEvent

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
#: Changes per answer of the feed; ``more`` says when the client should ask again from ``until``.
FEED_PAGE = 500


def api_client_for_key(*, raw_key: str) -> ApiClient | None:
    """The active client whose live key this is, or None (unknown, revoked or rotated away). One
    query on the unique prefix, then a constant-time comparison of the digests."""
    prefix = credentials.split_api_key(raw_key)
    if prefix is None:
        return None
    key = (
        ApiKey.objects.select_related("client")
        .filter(prefix=prefix, revoked_at__isnull=True, client__is_active=True)
        .first()
    )
    if key is None or not credentials.digests_match(key.digest, credentials.api_key_digest(raw_key)):
        return None
    return key.client


def verified_guarantee_ids(*, client_id: int) -> QuerySet[VerificationAttempt, Any]:
    return (
        VerificationAttempt.objects.filter(
            api_client_id=client_id, outcome=VerificationAttempt.Outcome.SUCCESS
        )
        .values("guarantee_id")
        .distinct()
    )


def clients_watching(*, guarantee_id: int) -> list[ApiClient]:
    """Active clients with a webhook that have verified this guarantee."""
    ids = VerificationAttempt.objects.filter(
        guarantee_id=guarantee_id, outcome=VerificationAttempt.Outcome.SUCCESS, api_client__isnull=False
    ).values("api_client_id")
    return list(ApiClient.objects.filter(pk__in=ids, is_active=True).exclude(webhook_url=""))


def expiry_moment(period_end: dt.date) -> dt.datetime:
    """When 保証期間満了 begins: the start of the day after the guarantee period's last day (Tokyo)."""
    return dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time(0), tzinfo=TOKYO)


@dataclass(frozen=True)
class Change:
    id: str
    kind: str
    guarantee: Guarantee
    occurred_at: dt.datetime
    version: int | None


def change_payload(change: Change, *, versions: list[Certificate], today: dt.date) -> dict[str, Any]:
    """One change as the feed and the webhooks send it; the status comes from the status function
    every screen uses."""
    banner = verification_selectors.certificate_status(
        guarantee=change.guarantee, versions=versions, today=today
    )
    return {
        "id": change.id,
        "type": change.kind,
        "contract_number": change.guarantee.number,
        "occurred_at": change.occurred_at.astimezone(TOKYO).isoformat(),
        "version": change.version,
        "status": banner.code,
        "status_label": str(banner.label),
        "status_date": banner.date.isoformat() if banner.date else None,
    }


def expired_change(guarantee: Guarantee) -> Change:
    return Change(
        id=f"expired-{guarantee.pk}-{guarantee.guarantee_period_end:%Y%m%d}",
        kind=ChangeEvent.Kind.EXPIRED,
        guarantee=guarantee,
        occurred_at=expiry_moment(guarantee.guarantee_period_end),
        version=None,
    )


def stored_change(event: ChangeEvent) -> Change:
    return Change(
        id=f"event-{event.pk}",
        kind=event.kind,
        guarantee=event.guarantee,
        occurred_at=event.occurred_at,
        version=event.version,
    )


@dataclass(frozen=True)
class Feed:
    since: dt.datetime
    until: dt.datetime
    changes: list[dict[str, Any]]
    more: bool


def client_changes(*, client: ApiClient, since: dt.datetime, now: dt.datetime | None = None) -> Feed:
    """What changed after ``since`` (up to now) for the guarantees this client has verified: new
    versions, 解約 and 取消 as recorded, and 保証期間満了 computed from the dates (a guarantee whose
    period ended after ``since`` and that was not ended earlier by 解約/取消). Oldest first; at most
    ``FEED_PAGE`` changes, ``until`` then being where the next call starts. Three queries."""
    now = now or timezone.now()
    verified = verified_guarantee_ids(client_id=client.pk)
    events = list(
        ChangeEvent.objects.filter(guarantee_id__in=verified, occurred_at__gt=since, occurred_at__lte=now)
        .select_related("guarantee")
        .order_by("occurred_at", "id")[: FEED_PAGE + 1]
    )
    # The period's last day d expires at the start of d + 1 (Tokyo): since < start(d + 1) <= now.
    first_day = since.astimezone(TOKYO).date()  # start(first_day + 1) > since for any since that day
    last_day = now.astimezone(TOKYO).date() - dt.timedelta(days=1)
    expiring = list(
        Guarantee.objects.filter(
            pk__in=verified, guarantee_period_end__gte=first_day, guarantee_period_end__lte=last_day
        ).filter(
            Q(status=Guarantee.Status.ACTIVE)
            | Q(status_changed_on__isnull=False, status_changed_on__gt=F("guarantee_period_end"))
        )[: FEED_PAGE + 1]
    )
    changes = [stored_change(event) for event in events] + [
        expired_change(guarantee)
        for guarantee in expiring
        if since < expiry_moment(guarantee.guarantee_period_end) <= now
    ]
    changes.sort(key=lambda change: (change.occurred_at, change.id))
    more = len(changes) > FEED_PAGE
    changes = changes[:FEED_PAGE]
    until = changes[-1].occurred_at if more else now
    versions = versions_by_guarantee(guarantee_ids=[change.guarantee.pk for change in changes])
    today = timezone.localdate(now)
    return Feed(
        since=since,
        until=until,
        changes=[change_payload(c, versions=versions[c.guarantee.pk], today=today) for c in changes],
        more=more,
    )


def versions_by_guarantee(*, guarantee_ids: list[int]) -> dict[int, list[Certificate]]:
    found: dict[int, list[Certificate]] = defaultdict(list)
    if guarantee_ids:
        for certificate in Certificate.objects.filter(guarantee_id__in=set(guarantee_ids)).order_by(
            "guarantee_id", "-version"
        ):
            found[certificate.guarantee_id].append(certificate)
    return found
