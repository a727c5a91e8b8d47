"""The one Redis client of the portal's limits (logins, password resets, verifications) and of the
health check, and the one refusal when the limits cannot reach Redis.

``redis`` is imported on first use, not when a module that counts is imported: ``manage.py
check``, the workers and every web process start without it.

One connection pool per (URL, timeout) and process. One retry (a pooled connection Redis dropped on
a restart) without backoff, not redis-py's default of three with backoff: a Redis that does not
answer costs a request at most twice the timeout, and the caller fails closed with
``LimiterUnavailable``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis


class LimiterUnavailable(Exception):
    """The counters cannot be read or written: the attempt must be refused."""


@functools.cache
def redis_client(url: str, timeout: float) -> redis.Redis:
    """The process's client for ``url``; connecting and every answer within ``timeout`` seconds."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 1),
    )


@contextlib.contextmanager
def limiter_unavailable_on_redis_error() -> Iterator[None]:
    """Turn any Redis failure inside the block (down, not answering, refusing) into
    ``LimiterUnavailable``."""
    import redis

    try:
        yield
    except redis.RedisError as exc:
        raise LimiterUnavailable(str(exc)) from exc
