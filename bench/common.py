"""Shared helpers for the benchmarks in bench/ (bench/run.sh skips this file).

Every benchmark: sets Django up against a PostgreSQL database of its own (``BENCH_DATABASE_URL``, by
default ``postgres://postgres@127.0.0.1:5432/portal_bench_pdf``, created and migrated when missing),
measures a baseline in the same run, prints ratios, stays within a time budget and writes its
figures to bench/results/<name>.json. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_pdf"


def configure_environment(*, var_dir: str = "var/bench") -> str:
    """Environment for a benchmark process (and the processes it starts). Returns the database URL."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("PORTAL_VAR_DIR", str(ROOT / var_dir))
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return url


def ensure_database(url: str) -> None:
    """Create the benchmark database when it does not exist (on 127.0.0.1 only)."""
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[-1]
    base = url.rsplit("/", 1)[0] + "/postgres"
    if "127.0.0.1" not in base and "localhost" not in base:
        raise SystemExit("Benchmarks only use a database on 127.0.0.1.")
    connection = psycopg2.connect(base)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def setup_django(*, migrate: bool = True) -> None:
    """Configure the environment, create and migrate the database, and set Django up."""
    url = configure_environment()
    ensure_database(url)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


class Budget:
    """A wall-clock budget: loops ask ``left()`` and stop early instead of overrunning."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    def spent(self) -> bool:
        return self.left() <= 0


def repeat(
    fn: Callable[[], Any], *, times: int, budget: Budget | None = None, max_seconds: float = 20.0
) -> list[float]:
    """Run ``fn`` up to ``times`` times (at least once), within ``max_seconds`` and the budget."""
    local = Budget(max_seconds)
    samples: list[float] = []
    while len(samples) < times:
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
        if local.spent() or (budget is not None and budget.spent()):
            break
    return samples


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p95_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(int(len(ordered) * 0.95), len(ordered) - 1)] * 1000


@dataclass
class Report:
    name: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    def add(self, label: str, value: float, unit: str, *, key: str) -> None:
        self.figures[key] = round(value, 3)
        self.rows.append((label, f"{value:,.1f} {unit}" if unit != "x" else f"{value:.2f}x"))

    def note(self, label: str, text: str) -> None:
        self.rows.append((label, text))

    def finish(self) -> None:
        width = max(len(label) for label, _value in self.rows) if self.rows else 0
        for label, value in self.rows:
            print(f"  {label:<{width}}  {value}")
        RESULTS.mkdir(parents=True, exist_ok=True)
        payload = {"name": self.name, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "figures": self.figures}
        (RESULTS / f"{self.name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
