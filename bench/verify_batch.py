"""Benchmark: 100 pairs in one ``POST /api/v1/verifications/batch`` against 100 single calls.

Same server, same run, same pairs (right number and key, drawn from 200 random contracts of the
100,000 in the bench database), both with an API client's key: throughput in verified pairs per
second with wrk, and the ratio (target ≥ 10 ×). Every pair is still limited (the Lua script runs for
every call, the quota counts every item) and recorded (one attempt row per pair).

Run: ``make bench`` or ``.venv/bin/python bench/verify_batch.py``. Shares bench/verify.py's database,
seeding and gunicorn set-up (the first run seeds, several minutes). Targets only 127.0.0.1.
Environment: as bench/verify.py (BENCH_VERIFY_DATABASE_URL, BENCH_VERIFY_REDIS_URL, BENCH_VERIFY_PORT,
BENCH_SECONDS).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import verify as bench  # bench/verify.py: database, gunicorn, wrk helpers

BATCH = 100
TARGET = 10.0


def _api_key() -> str:
    """A bench API client with credentials and a quota no run reaches."""
    from apiclients.models import ApiClient
    from apiclients.services import api_credentials_issue
    from guarantees.models import Orderer

    client, _created = ApiClient.objects.update_or_create(
        name="bench batch client",
        defaults={
            "orderer": Orderer.objects.order_by("pk")[0],
            "contact_name": "bench",
            "contact_email": "bench@example.jp",
            "quota_per_hour": 10**9,
            "failures_per_hour": 10**9,
        },
    )
    return api_credentials_issue(client=client, issued_by=None).api_key


def _start_gunicorn(*, wait: float = 180) -> subprocess.Popen[bytes]:
    """bench/verify.py's server, waited for longer: on a loaded machine start-up takes a while."""
    command = [str(bench.ROOT / ".venv" / "bin" / "gunicorn"), "verify:application"]
    command += ["--bind", f"127.0.0.1:{bench.PORT}", "--workers", str(bench.WORKERS)]
    command += ["--worker-class", "sync", "--log-level", "warning", "--timeout", "120"]
    server = subprocess.Popen(command, cwd=bench.ROOT, env=bench._env())
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{bench.PORT}/bench/bare", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def _wrk(lua: str) -> dict[str, float]:
    """As bench/verify.py's wrk run, with a 30-second request timeout: a batch of 100 may take longer
    than wrk's default 2 seconds on a loaded machine, and a timed-out call would count as none."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        base = f"http://127.0.0.1:{bench.PORT}"
        common = ["wrk", "--timeout", "30s", "-t2", f"-c{bench.CONNECTIONS}", "-s", script.name]
        subprocess.run([*common, "-d1s", base], capture_output=True, check=False)  # warm-up
        out = subprocess.run(
            [*common, f"-d{bench.SECONDS}s", "--latency", base], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(script.name)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    assert rps, out
    return {
        "rps": float(rps.group(1)),
        "p99_ms": float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)] if p99 else 0.0,
        "bad_responses": int(bad.group(1)) if bad else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def _analyze() -> None:
    """Planner statistics for the freshly seeded tables, as autovacuum would have them in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("guarantees_guarantee", "authkeys_authkey", "certificates_certificate"):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is missing: install the Debian package wrk (make bench installs APT_BENCH)")
        return 1
    started = time.monotonic()
    bench._prepare_database()
    bench._django()
    _analyze()
    pairs = bench._sample_pairs()
    key = _api_key()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    batches = [
        json.dumps(
            {"items": [{"contract_number": n, "auth_key": k} for n, k in (pairs * 2)[start : start + BATCH]]}
        )
        for start in range(0, len(pairs), BATCH)
    ]
    scenarios = {
        "100 single calls (pairs/s)": (
            bench._lua([("POST", "/api/v1/verifications", headers, bench._json(n, k)) for n, k in pairs]),
            1,
        ),
        "one batch of 100 (pairs/s)": (
            bench._lua([("POST", "/api/v1/verifications/batch", headers, body) for body in batches]),
            BATCH,
        ),
    }
    server = _start_gunicorn()
    try:
        figures = {name: _wrk(lua) for name, (lua, _n) in scenarios.items()}
    finally:
        server.terminate()
        server.wait(timeout=10)
    pairs_per_second = {name: figures[name]["rps"] * n for name, (_lua, n) in scenarios.items()}
    single, batched = pairs_per_second.values()
    ratio = batched / single
    print(
        f"\nverify_batch: gunicorn {bench.WORKERS} sync workers,",
        f"wrk -t2 -c{bench.CONNECTIONS} -d{bench.SECONDS}s",
    )
    print(f"{'scenario':32} {'calls/s':>9} {'pairs/s':>9} {'p99 ms':>8} {'non-2xx/3xx':>12} {'timeouts':>9}")
    for name, figure in figures.items():
        print(
            f"{name:32} {figure['rps']:9.0f} {pairs_per_second[name]:9.0f} {figure['p99_ms']:8.2f}"
            f" {figure['bad_responses']:12d} {figure['timeouts']:9d}"
        )
    print(
        f"batch / single throughput: {ratio:.1f} x (target >= {TARGET:.0f} x):",
        "met" if ratio >= TARGET else "NOT met",
    )
    print(f"total time {time.monotonic() - started:.0f} s")
    results = bench.ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "verify_batch.json").write_text(
        json.dumps({"figures": figures, "pairs_per_second": pairs_per_second, "ratio": ratio}, indent=2)
    )
    bad = sum(int(figure["bad_responses"]) for figure in figures.values())
    return 1 if bad or ratio < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
