"""Fixtures of the fault-injection tests: a private Redis as the Celery broker, a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kombu.pools
import pytest

from config.celery import app as celery_app
from tests.notifications.smtp import SMTPServer

from .own_redis import OwnRedis


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A redis-server of this test alone (never the shared one): stop it or pause it at will."""
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def _reset_producer_pools() -> None:
    """Forget the connections to the previous broker (kombu keeps pools per URL, process-wide)."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(private_redis: OwnRedis) -> Iterator[OwnRedis]:
    """Tasks from this process go to the private Redis (not run in-process), as in production."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    _reset_producer_pools()
    conf.update(task_always_eager=False, broker_url=private_redis.url)
    yield private_redis
    private_redis.resume()
    _reset_producer_pools()
    conf.update(task_always_eager=saved[0], broker_url=saved[1])


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_mail(smtp: SMTPServer, settings: Any) -> SMTPServer:
    """Mail sent in this process goes to the loopback SMTP server."""
    settings.MAILERS = smtp.mailers()
    return smtp


def break_redis(server: OwnRedis, fault: str) -> None:
    """``stopped``: connections refused. ``paused`` (SIGSTOP): connections hang, nothing answers."""
    if fault == "stopped":
        server.stop()
    else:
        server.pause()


FAULTS = ["stopped", "paused"]
