"""Benchmark: ``python manage.py seed_demo --guarantees 100000`` into a new, migrated database.

The database (``BENCH_SEED_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/portal_bench_seed)
is dropped and created again, migrated (not timed), then the whole command is timed as a user runs
it: process start-up, the brochure's demo and 100,000 generated guarantees with their certificates
and keys. The database is dropped afterwards. Writes bench/results/seed.json. About 30 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psycopg2
from psycopg2 import sql

sys.path.insert(0, str(Path(__file__).parent))
import common  # bench/common.py, beside this script

URL = os.environ.get("BENCH_SEED_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_seed")
GUARANTEES = int(os.environ.get("BENCH_SEED_GUARANTEES", "100000"))
TARGET_SECONDS = 15.0


def _admin(statement: sql.Composable) -> None:
    parsed = urllib.parse.urlparse(URL)
    if parsed.hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit("Benchmarks only use a database on 127.0.0.1.")
    connection = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres", dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def main() -> None:
    name = URL.rsplit("/", 1)[-1]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        DATABASE_URL=URL,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        LOG_LEVEL="WARNING",
        CELERY_TASK_ALWAYS_EAGER="true",
        PORTAL_VAR_DIR=str(common.ROOT / "var" / "bench-seed"),
    )
    manage = [str(common.ROOT / ".venv" / "bin" / "python"), str(common.ROOT / "manage.py")]
    _admin(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=common.ROOT)
        started = time.perf_counter()
        subprocess.run(
            [*manage, "seed_demo", "--guarantees", str(GUARANTEES), "--demo-share", "1000"],
            env=env,
            check=True,
            cwd=common.ROOT,
            capture_output=True,
        )
        seconds = time.perf_counter() - started
    finally:
        _admin(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    report = common.Report("seed")
    report.add(
        f"seed_demo --guarantees {GUARANTEES:,} (new database, whole command)", seconds, "s", key="seconds"
    )
    report.figures["guarantees"] = GUARANTEES
    report.figures["target_seconds"] = TARGET_SECONDS
    report.finish()


if __name__ == "__main__":
    main()
