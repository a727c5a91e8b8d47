"""Windowed counters in one process: the limits' stand-in where the embedded demo runs without Redis.

Each limiter (login, password reset, verification) keeps its rules in a Redis script; its subclass
of `LocalCounters` applies the same rules under one lock, so `make run` behaves like production.
"""

from __future__ import annotations

import threading
import time


class LocalCounters:
    """Counters that expire a window after their first count, like Redis keys with PEXPIRE."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[int, float]] = {}

    def _live(self, key: str, now: float) -> tuple[int, float]:
        value, expires = self._values.get(key, (0, 0.0))
        return (value, expires) if expires > now else (0, 0.0)

    def _count(self, key: str, window_ms: int, now: float) -> None:
        """Add one; the first count of a window starts its expiry. Call with the lock held."""
        value, expires = self._live(key, now)
        self._values[key] = (value + 1, expires if value else now + window_ms / 1000)

    def get(self, key: str) -> int:
        with self._lock:
            return self._live(key, time.monotonic())[0]

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)
