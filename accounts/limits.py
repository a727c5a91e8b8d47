"""Limits on failed logins, per login ID and per client, counted in the Django cache (Redis).

A fixed window: after ``LOGIN_FAILURES_PER_ID`` failures for one login ID, or
``LOGIN_FAILURES_PER_CLIENT`` failures from one client address, within ``LOGIN_FAILURE_WINDOW``
seconds, further attempts are refused until the window ends. Nothing is locked for ever and no
account state changes; a successful login clears the login ID's counter. Keys are hashed so that
login IDs and addresses do not appear in Redis.
"""

from __future__ import annotations

import hashlib
import unicodedata

from django.conf import settings
from django.core.cache import cache

from config.client_address import HasMeta
from config.client_address import client_address as shared_client_address


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()[:40]
    return f"login-failures:{scope}:{digest}"


def normalize_login_id(login_id: str) -> str:
    """Variants of one login ID (full-width, case, spaces) count together."""
    return unicodedata.normalize("NFKC", login_id).strip().casefold()


def _keys(*, login_id: str, client: str) -> tuple[str, str]:
    return _key("id", normalize_login_id(login_id)), _key("client", client)


def login_blocked(*, login_id: str, client: str) -> bool:
    """Whether attempts for this login ID or from this client are refused for now."""
    id_key, client_key = _keys(login_id=login_id, client=client)
    counts = cache.get_many([id_key, client_key])
    return (
        int(counts.get(id_key, 0)) >= settings.LOGIN_FAILURES_PER_ID
        or int(counts.get(client_key, 0)) >= settings.LOGIN_FAILURES_PER_CLIENT
    )


def login_failure_record(*, login_id: str, client: str) -> None:
    """Count one failed attempt against the login ID and the client."""
    for key in _keys(login_id=login_id, client=client):
        # add() starts the window only when the counter does not exist yet; incr() keeps its expiry.
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)


def login_success_record(*, login_id: str) -> None:
    """A successful login clears the login ID's failures (the client's stay until they expire)."""
    cache.delete(_key("id", normalize_login_id(login_id)))


def client_address(request: HasMeta | None) -> str:
    """The client's address, from the portal's one place for it (trusted proxy hops included)."""
    return "unknown" if request is None else shared_client_address(request)
