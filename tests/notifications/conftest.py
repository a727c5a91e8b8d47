"""Fixtures for mail: a real SMTP server on loopback, and a real Celery worker on the real Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

from .smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]


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


class Worker:
    """``celery -A config worker`` as a subprocess, against the test database and the test Redis."""

    def __init__(self, *, smtp_port: int, log_path: Path, pool: str, concurrency: int, env: dict[str, str]):
        database = connection.settings_dict
        credentials = quote(database["USER"] or "postgres", safe="")
        if database.get("PASSWORD"):
            credentials += ":" + quote(database["PASSWORD"], safe="")
        database_url = (
            f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
            f"/{database['NAME']}"
        )
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": database_url,
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "10",
            "PORTAL_VAR_DIR": settings.VAR_DIR.as_posix(),
            **env,
        }
        self.log_path = log_path
        self.pool = pool
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own worker
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                f"--pool={self.pool}",
                f"--concurrency={self.concurrency}",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if b"ready." in self.log_path.read_bytes():
                return
            if self.process.poll() is not None:
                raise RuntimeError(self.log_path.read_text(errors="replace"))
            time.sleep(0.1)
        raise RuntimeError("the Celery worker did not start:\n" + self.log_path.read_text(errors="replace"))

    def kill(self) -> None:
        """SIGKILL the whole worker (no warm shutdown: what a crash or the OOM killer does)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


@pytest.fixture
def celery_broker(settings: Any) -> Iterator[None]:
    """Tasks from this process go to the real Redis broker (not run in-process), on an empty queue."""
    if not settings.REDIS_URL:
        pytest.fail("the worker tests need REDIS_URL (make test sets it from TEST_REDIS_URL)")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    yield
    celery_app.control.purge()
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def start_worker(celery_broker: None, smtp: SMTPServer, tmp_path: Path) -> Iterator[Any]:
    workers: list[Worker] = []

    def start(*, pool: str = "solo", concurrency: int = 1, **env: str) -> Worker:
        worker = Worker(
            smtp_port=smtp.port,
            log_path=tmp_path / f"worker{len(workers)}.log",
            pool=pool,
            concurrency=concurrency,
            env=env,
        )
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()
