"""Benchmark: process start-up, ``python manage.py check`` of the portal against a bare Django project.

The baseline is made here, in a temporary folder, with ``django-admin startproject`` of the same
Django in the same virtualenv (SQLite, the default apps and admin). Both commands run alternately,
each several times, with bytecode caching on (as a deployed process has its ``.pyc`` files) after
one warm-up run each; medians are compared. The portal's run sets ``DATABASE_URL`` to the bench
database (``check`` does not connect).

Twice: in the development virtualenv (``.venv``, with the test tools), and in a virtualenv of the
runtime dependencies alone (``uv sync --frozen --no-dev`` into ``var/bench-runtime-venv``, from uv's
cache: the packages a deployed web or worker process has). The two differ by what the test tools
bring that a runtime package imports when it is installed: DRF's ``compat`` imports ``requests``
(pip-audit, schemathesis) and ``pygments`` (pytest). The target is read on the runtime virtualenv,
the shape every deployed process starts in; the development figure is shown beside it.
Writes bench/results/startup.json. About 40-80 s.
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


RUNTIME_VENV = ROOT / "var" / "bench-runtime-venv"


def _runtime_venv() -> Path:
    """The runtime dependencies alone, as uv.lock pins them (uv links them from its cache)."""
    env = _env(UV_PROJECT_ENVIRONMENT=str(RUNTIME_VENV), UV_PYTHON_DOWNLOADS="never")
    uv = os.environ.get("BENCH_UV", "").split() or [shutil.which("uv") or "uv"]  # make bench sets BENCH_UV
    subprocess.run(
        [*uv, "sync", "--frozen", "--no-dev", "--quiet"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    return RUNTIME_VENV


def main() -> None:
    report = common.Report("startup")
    dev = _medians(ROOT / ".venv")
    runtime = _medians(_runtime_venv())
    for label, key, (bare_ms, portal_ms) in (
        ("development virtualenv", "", dev),
        ("runtime virtualenv", "runtime_", runtime),
    ):
        report.add(
            f"{label}: bare Django project, manage.py check (median)",
            bare_ms,
            "ms",
            key=f"{key}bare_check_ms",
        )
        report.add(f"{label}: portal, manage.py check (median)", portal_ms, "ms", key=f"{key}portal_check_ms")
        report.add("  portal / bare", portal_ms / bare_ms, "x", key=f"{key}ratio")
    report.figures["runs"] = RUNS
    report.figures["target_ratio"] = TARGET
    report.finish()


def _medians(venv: Path) -> tuple[float, float]:
    """(bare project, portal): medians of RUNS alternating ``manage.py check`` runs, in ms."""
    python = str(venv / "bin" / "python")
    bare_dir = Path(tempfile.mkdtemp(prefix="bench-bare-django-"))
    try:
        subprocess.run(
            [str(venv / "bin" / "django-admin"), "startproject", "bare", str(bare_dir)],
            check=True,
            env=_env(),
        )
        bare_env = _env(DJANGO_SETTINGS_MODULE="bare.settings")
        portal_env = _env(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", common.DEFAULT_DATABASE_URL),
            LOG_LEVEL="WARNING",
        )
        bare_cmd = [python, "manage.py", "check"]
        portal_cmd = [python, str(ROOT / "manage.py"), "check"]
        _timed(bare_cmd, cwd=bare_dir, env=bare_env)  # writes the .pyc files
        _timed(portal_cmd, cwd=ROOT, env=portal_env)
        bare: list[float] = []
        portal: list[float] = []
        for _ in range(RUNS):
            bare.append(_timed(bare_cmd, cwd=bare_dir, env=bare_env))
            portal.append(_timed(portal_cmd, cwd=ROOT, env=portal_env))
    finally:
        shutil.rmtree(bare_dir, ignore_errors=True)
    return statistics.median(bare) * 1000, statistics.median(portal) * 1000


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
