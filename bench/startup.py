"""Benchmark: process start-up, ``python manage.py check`` of the portal against a bare Django project.

The baseline is made here, in a temporary folder, with ``django-admin startproject`` of the same
Django in the same virtualenv (SQLite, the default apps and admin). Both commands run alternately,
each several times, with bytecode caching on (as a deployed process has its ``.pyc`` files) after
one warm-up run each; medians are compared. The portal's run sets ``DATABASE_URL`` to the bench
database (``check`` does not connect). Writes bench/results/startup.json. About 20-40 s.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common  # bench/common.py, beside this script

ROOT = common.ROOT
PYTHON = str(ROOT / ".venv" / "bin" / "python")
RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "7"))
TARGET = 1.5


def _env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def _timed(command: list[str], *, cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - start


def main() -> None:
    report = common.Report("startup")
    bare_dir = Path(tempfile.mkdtemp(prefix="bench-bare-django-"))
    try:
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "django-admin"), "startproject", "bare", str(bare_dir)],
            check=True,
            env=_env(),
        )
        bare_env = _env(DJANGO_SETTINGS_MODULE="bare.settings")
        portal_env = _env(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", common.DEFAULT_DATABASE_URL),
            LOG_LEVEL="WARNING",
        )
        bare_cmd = [PYTHON, "manage.py", "check"]
        portal_cmd = [PYTHON, str(ROOT / "manage.py"), "check"]
        _timed(bare_cmd, cwd=bare_dir, env=bare_env)  # writes the .pyc files
        _timed(portal_cmd, cwd=ROOT, env=portal_env)
        bare: list[float] = []
        portal: list[float] = []
        for _ in range(RUNS):
            bare.append(_timed(bare_cmd, cwd=bare_dir, env=bare_env))
            portal.append(_timed(portal_cmd, cwd=ROOT, env=portal_env))
    finally:
        shutil.rmtree(bare_dir, ignore_errors=True)
    bare_ms = statistics.median(bare) * 1000
    portal_ms = statistics.median(portal) * 1000
    report.add("bare Django project: manage.py check (median)", bare_ms, "ms", key="bare_check_ms")
    report.add("portal: manage.py check (median)", portal_ms, "ms", key="portal_check_ms")
    report.add("  portal / bare", portal_ms / bare_ms, "x", key="ratio")
    report.figures["runs"] = RUNS
    report.figures["target_ratio"] = TARGET
    report.finish()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
