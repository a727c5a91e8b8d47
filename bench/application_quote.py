"""Benchmark: the live fee quote (/applications/quote/), which the amounts step calls as people type.

Baseline, measured in the same run on the same server: /healthz (one DB and one Redis round trip).
gunicorn with 2 sync workers on 127.0.0.1, DEBUG off, persistent DB connections; wrk -t2 -c16, 5 s
each. Also times the pure fee computation in-process against the selector that loads the rate table.

Environment: BENCH_DATABASE_URL (default portal_bench), BENCH_REDIS_URL (default Redis DB 7),
BENCH_PORT (default 8710). Writes bench/results/application_quote.txt.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import timeit
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"
)
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
os.environ.setdefault("DEBUG", "false")
PORT = int(os.environ.get("BENCH_PORT", "8710"))
DURATION = "5s"


def _setup() -> tuple[str, int]:
    """Migrate, load the demo rate table, make a contractor user and an orderer; return (session
    cookie, orderer id)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from guarantees.models import Contractor, Orderer

    call_command("migrate", verbosity=0, interactive=False)
    from demo.rates import seed_demo_rates

    seed_demo_rates()  # the table every quote reads (no migration brings one)
    contractor, _ = Contractor.objects.get_or_create(company_name="ベンチ建設株式会社", office_name="本店")
    user, _ = User.objects.update_or_create(
        username="bench-contractor", defaults={"contractor": contractor, "must_change_password": False}
    )
    orderer, _ = Orderer.objects.get_or_create(
        title="支出負担行為担当官 ベンチ地方整備局長",
        defaults={"organisation": "ベンチ地方整備局", "kind": "national"},
    )
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value, orderer.pk


def _in_process(orderer_id: int) -> tuple[float, float]:
    from decimal import Decimal

    from applications import selectors
    from applications.fees import Band, Discount, fee_compute

    bands = [
        Band(0, Decimal("0.060")),
        Band(50_000_000, Decimal("0.050")),
        Band(200_000_000, Decimal("0.040")),
    ]
    discount = Discount(3_000_000, 200)
    pure = (
        min(
            timeit.repeat(
                lambda: fee_compute(amount=145_670_000, bands=bands, discount=discount), number=2000, repeat=3
            )
        )
        / 2000
    )
    from django.utils import timezone

    day = timezone.localdate()
    loaded = (
        min(
            timeit.repeat(
                lambda: selectors.fee_quote(
                    kind="advance", orderer_kind="national", amount=145_670_000, on=day
                ),
                number=200,
                repeat=3,
            )
        )
        / 200
    )
    return pure, loaded


def _wrk(url: str, cookie: str | None = None) -> tuple[float, str]:
    command = ["wrk", "-t2", "-c16", f"-d{DURATION}", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=60, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} error responses")
    return rate, p99.group(1) if p99 else "?"


def main() -> None:
    cookie, orderer_id = _setup()
    pure, loaded = _in_process(orderer_id)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310 - loopback only
                break
            except OSError:
                time.sleep(0.1)
        quote_url = f"{base}/applications/quote/?kind=advance&orderer={orderer_id}&amount=145670000"
        request = urllib.request.Request(quote_url, headers={"Cookie": f"sessionid={cookie}"})  # noqa: S310
        body = urllib.request.urlopen(request, timeout=5).read().decode()  # noqa: S310 - loopback only
        if '"total": 77635' not in body:
            raise SystemExit(f"unexpected quote: {body}")
        healthz_rate, healthz_p99 = _wrk(f"{base}/healthz")
        quote_rate, quote_p99 = _wrk(quote_url, cookie)
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = [
        f"fee_compute (pure, in-process):          {pure * 1e6:8.1f} µs/call",
        f"selectors.fee_quote (2 queries):         {loaded * 1e6:8.1f} µs/call  ({loaded / pure:.0f}x pure)",
        f"GET /healthz (baseline):                 {healthz_rate:8.0f} req/s  p99 {healthz_p99}",
        f"GET /applications/quote/ (logged in):    {quote_rate:8.0f} req/s  p99 {quote_p99}",
        f"quote / baseline:                        {quote_rate / healthz_rate:8.2f}",
    ]
    report = "\n".join(lines)
    print(report)
    (ROOT / "bench/results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench/results/application_quote.txt").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
