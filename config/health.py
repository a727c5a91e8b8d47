"""``GET /healthz``: the state of the database and, when configured, Redis; and, for monitoring, the
age of the oldest mail not yet sent and when the 16:00 registration notice last ran.

Only the database and Redis decide the status code: a delayed mail queue is for the operators'
alerts, not a reason for a load balancer to take the web process out of service."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.redis_client import redis_client

#: Seconds the check waits for Redis: monitoring polls often, and a hung Redis must not hang it.
REDIS_TIMEOUT = 1.0


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "error"
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not_configured"
    import redis  # imported where used: the URLs load this module in every process

    try:
        redis_client(settings.REDIS_URL, REDIS_TIMEOUT).ping()
    except redis.RedisError:
        return "error"
    return "ok"


def _mail_and_notice() -> dict[str, object]:
    from notifications.selectors import last_notice_run, outbox_oldest_unsent_at

    try:
        oldest = outbox_oldest_unsent_at()
        run = last_notice_run()
    except DatabaseError:
        return {"oldest_unsent_mail_age_seconds": None, "last_notice_run": None}
    age = None if oldest is None else max(int((timezone.now() - oldest).total_seconds()), 0)
    return {
        "oldest_unsent_mail_age_seconds": age,
        "last_notice_run": None if run is None else timezone.localtime(run.started_at).isoformat(),
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "redis": _redis()}
    healthy = all(state in {"ok", "not_configured"} for state in checks.values())
    details = _mail_and_notice() if checks["database"] == "ok" else {}
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks, **details}, status=200 if healthy else 503
    )
