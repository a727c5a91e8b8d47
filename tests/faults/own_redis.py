"""A private, real Redis for fault tests: ``redis-server`` on a free loopback port, no persistence.

The fault tests stop it or pause it (SIGSTOP) to see what users get when Redis fails; the shared Redis
of the machine is never touched. The ``own_redis`` fixture points every Redis user of the portal that
a request meets (the cache, the login and password reset limits, the verification limits) at this
server for the test, and restores the settings afterwards.

    from tests.faults.own_redis import OwnRedis, own_redis_fixture  # noqa: F401 - the fixture

    def test_something(own_redis: OwnRedis, client):
        own_redis.stop()      # Redis down: connections refused
        own_redis.pause()     # Redis hung: SIGSTOP, connections accepted by the kernel, no answer
        own_redis.resume()    # SIGCONT
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OwnRedis:
    """One ``redis-server`` process of this test alone (``--save "" --appendonly no``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is missing: run `make apt-test`.")
        self.process = subprocess.Popen(  # noqa: S603 - our own server
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2, socket_timeout=0.2)
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    client.close()
                    return
            except redis.RedisError:
                time.sleep(0.05)
        self.stop()
        pytest.fail("the test's own redis-server did not start")

    def pause(self) -> None:
        """SIGSTOP: the port still accepts connections (the kernel's backlog) but nothing answers."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        if self.process is not None and self.paused:
            os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False

    def stop(self) -> None:
        """Stop the server: connections are refused from now on."""
        if self.process is None:
            return
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)


def point_portal_at(settings: Any, url: str, *, timeout_ms: int = 300) -> None:
    """Every Redis a request uses (cache, login/reset limits, verification limits) → ``url``."""
    timeout = timeout_ms / 1000
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }
    settings.LOGIN_REDIS_URL = url
    settings.LOGIN_REDIS_TIMEOUT = timeout
    settings.VERIFICATION_REDIS_URL = url
    settings.VERIFICATION_REDIS_TIMEOUT = timeout


@pytest.fixture(name="own_redis")
def own_redis_fixture(settings: Any, tmp_path: Path) -> Iterator[OwnRedis]:
    """A private redis-server for this test, with the portal's Redis settings pointed at it."""
    server = OwnRedis(tmp_path)
    server.start()
    point_portal_at(settings, server.url)
    try:
        yield server
    finally:
        server.stop()
