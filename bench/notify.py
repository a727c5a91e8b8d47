"""Benchmark: the 16:00 registration notice for 10,000 certificates of 2,000 contractors.

Measures, in one run on this machine:
- pipeline: from starting the notice job on a real Celery worker (Redis broker, prefork pool of 2,
  as deployed) until a local SMTP server (aiosmtpd, its own process) has every notice — the job, the
  outbox, the claims with SKIP LOCKED, rendering, MIME encoding, SMTP, recording each result;
- baseline: the very same messages (the bytes the server received) sent again with plain smtplib
  over one connection to the same server;
and prints pipeline / baseline, and the worker's resident memory while it sends (it should stay flat:
rows are claimed in batches, nothing grows with the queue).

Environment: BENCH_NOTIFY_DATABASE_URL (a database this script flushes; default
postgres://postgres@127.0.0.1:5432/portal_bench_notify), REDIS_URL (default redis://127.0.0.1:6379/6),
BENCH_NOTIFY_CONTRACTORS / BENCH_NOTIFY_CERTIFICATES to scale. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_NOTIFY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_notify"
)
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/6"
CONTRACTORS = int(os.environ.get("BENCH_NOTIFY_CONTRACTORS", "2000"))
CERTIFICATES = int(os.environ.get("BENCH_NOTIFY_CERTIFICATES", "10000"))
PORTS = range(8690, 8700)
TIME_LIMIT = 100.0  # seconds for the pipeline to deliver everything

SMTP_SERVER = r"""
import os, sys, time
from aiosmtpd.controller import Controller

count_fd = os.open(sys.argv[2], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
data = open(sys.argv[3], "ab") if len(sys.argv) > 3 else None

class Handler:
    async def handle_DATA(self, server, session, envelope):
        if data is not None:  # keep what arrived, so the baseline sends the very same bytes
            content = envelope.original_content
            rcpt = envelope.rcpt_tos[0].encode()
            data.write(len(rcpt).to_bytes(2, "big") + rcpt + len(content).to_bytes(4, "big") + content)
            data.flush()
        os.write(count_fd, b"x")
        return "250 OK"

controller = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    controller.stop()
"""


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8690-8699")


def ensure_database() -> None:
    import psycopg2

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    admin = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username or "postgres", dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def read_captured(path: Path) -> list[tuple[str, bytes]]:
    messages = []
    raw = path.read_bytes()
    at = 0
    while at < len(raw):
        size = int.from_bytes(raw[at : at + 2], "big")
        rcpt = raw[at + 2 : at + 2 + size].decode()
        at += 2 + size
        length = int.from_bytes(raw[at : at + 4], "big")
        messages.append((rcpt, raw[at + 4 : at + 4 + length]))
        at += 4 + length
    return messages


def env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **extra,
    }


def seed() -> None:
    """2,000 contractors, 10,000 electronic certificate versions registered yesterday (bulk inserts)."""
    from django.db import transaction
    from django.utils import timezone

    from certificates.models import Certificate
    from certificates.services import certificate_snapshot
    from guarantees.models import Branch, Contractor, Guarantee, GuarantorCompany, Orderer

    company = GuarantorCompany.objects.create(
        name="西日本建設業保証株式会社",
        address="大阪市西区西船場二丁目1番2号",
        representative_title="取締役社長",
        representative_name="眞田 一",
        terms_url="https://www.wjgs.net/",
    )
    branch = Branch.objects.create(
        company=company, name="東京支店", code="107", address="東京都中央区", tel="03", fax="03"
    )
    orderer = Orderer.objects.create(
        title="支出負担行為担当官 近畿地方整備局長",
        organisation="近畿地方整備局",
        kind=Orderer.Kind.NATIONAL,
        e_guarantee_adopted_on=dt.date(2022, 5, 9),
    )
    with transaction.atomic():
        contractors = Contractor.objects.bulk_create(
            [
                Contractor(
                    company_name=f"株式会社ベンチ建設{i}",
                    office_name="本店",
                    notice_emails=f"c{i}@example.jp",
                )
                for i in range(CONTRACTORS)
            ],
            batch_size=2000,
        )
        guarantees = Guarantee.objects.bulk_create(
            [
                Guarantee(
                    number=f"10700{i:05d}",
                    kind="advance",
                    contractor=contractors[i % CONTRACTORS],
                    orderer=orderer,
                    branch=branch,
                    work_name=f"国道{i}号線 道路改良工事",
                    contract_amount_total=100_000_000,
                    contract_amount_target=100_000_000,
                    guarantee_amount=40_000_000,
                    concluded_on=dt.date(2026, 6, 1),
                    guarantee_period_end=dt.date(2027, 3, 31),
                    construction_end_date=dt.date(2027, 3, 31),
                    medium=Guarantee.Medium.ELECTRONIC,
                    latest_certificate_version=1,  # the version bulk-created below
                    latest_certificate_issued_on=dt.date(2026, 6, 1),
                )
                for i in range(CERTIFICATES)
            ],
            batch_size=2000,
        )
        for guarantee in guarantees:
            guarantee.branch = branch
            guarantee.orderer = orderer
        Certificate.objects.bulk_create(
            [
                Certificate(
                    guarantee=guarantee,
                    version=1,
                    certified_on=dt.date(2026, 6, 1),
                    issued_on=dt.date(2026, 6, 1),
                    **certificate_snapshot(guarantee),
                )
                for guarantee in guarantees
            ],
            batch_size=2000,
        )
        Certificate.objects.update(registered_at=timezone.now() - dt.timedelta(days=1))
    from django.db import connection

    with connection.cursor() as cursor:  # as autovacuum would have done on tables this size
        cursor.execute("ANALYZE")


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def worker_rss_kib(pid: int, field: str = "VmRSS") -> int:
    """The largest process of the worker (the pool's children do the sending)."""
    return max([rss_kib(pid, field), *(rss_kib(child, field) for child in children(pid))])


def main() -> int:
    ensure_database()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(), check=True)
    os.environ.update(env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from config.celery import app as celery_app
    from notifications.models import OutboxMessage

    call_command("flush", interactive=False, verbosity=0)
    seed()
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()

    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    count_file = workdir / "received"
    count_file.touch()
    captured = workdir / "captured"
    server = subprocess.Popen(
        [sys.executable, "-c", SMTP_SERVER, str(port), str(count_file), str(captured)], stdout=subprocess.PIPE
    )
    assert server.stdout is not None
    assert server.stdout.readline().strip() == b"ready"
    worker_log = (workdir / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), EMAIL_TIMEOUT="10", LOG_LEVEL="WARNING"),
        stdout=worker_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # Warm the worker (imports, DB connection, template loading) with one no-op send job.
        celery_app.send_task("notifications.tasks.outbox_send_task")
        time.sleep(3)
        idle_rss = worker_rss_kib(worker.pid)

        # --- pipeline ---------------------------------------------------------------------------
        started = time.perf_counter()
        celery_app.send_task("notifications.tasks.registration_notice_task")
        expected = CONTRACTORS
        samples: list[tuple[int, int]] = []
        first_mail = 0.0
        while True:
            received = count_file.stat().st_size
            if received and not first_mail:
                first_mail = time.perf_counter() - started
            samples.append((received, worker_rss_kib(worker.pid)))
            if received >= expected:
                break
            if time.perf_counter() - started > TIME_LIMIT or worker.poll() is not None:
                raise RuntimeError(f"pipeline delivered {received}/{expected} in {TIME_LIMIT}s")
            time.sleep(0.05)
        pipeline = time.perf_counter() - started
        peak_rss = worker_rss_kib(worker.pid, "VmHWM")
        at_10 = next(rss for received, rss in samples if received >= expected // 10)
        at_end = samples[-1][1]
        outbox_rows = OutboxMessage.objects.count()
        sent_rows = OutboxMessage.objects.filter(state=OutboxMessage.State.SENT).count()

        # --- baseline: the same messages, plain smtplib, one connection ---------------------------
        payloads = read_captured(captured)[:expected]
        before = count_file.stat().st_size
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            for to, payload in payloads:
                smtp.sendmail("no-reply@portal.example.jp", [to], payload)
        while count_file.stat().st_size < before + len(payloads):
            time.sleep(0.001)
        baseline = time.perf_counter() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        celery_app.control.purge()

    result = {
        "contractors": CONTRACTORS,
        "certificates": CERTIFICATES,
        "mails": expected,
        "outbox_rows": outbox_rows,
        "sent_rows_when_server_had_all": sent_rows,
        "pipeline_seconds": round(pipeline, 3),
        "first_mail_after_seconds": round(first_mail, 3),
        "baseline_smtplib_seconds": round(baseline, 3),
        "ratio_pipeline_to_smtplib": round(pipeline / baseline, 2),
        "pipeline_mails_per_second": round(expected / pipeline),
        "worker_rss_idle_mib": round(idle_rss / 1024, 1),
        "worker_rss_at_10pct_mib": round(at_10 / 1024, 1),
        "worker_rss_at_end_mib": round(at_end / 1024, 1),
        "worker_peak_rss_mib": round(peak_rss / 1024, 1),
    }
    print(
        f"notify: {expected} notices ({CERTIFICATES} certificates, {CONTRACTORS} contractors) delivered in "
        f"{pipeline:.2f}s through the worker vs {baseline:.2f}s plain smtplib over one connection: "
        f"ratio {pipeline / baseline:.2f}; worker RSS {at_10 / 1024:.0f} MiB at 10% → "
        f"{at_end / 1024:.0f} MiB at 100% (peak {peak_rss / 1024:.0f} MiB)"
    )
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "notify.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if outbox_rows == expected else 1


if __name__ == "__main__":
    sys.exit(main())
