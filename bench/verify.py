"""Benchmark: orderers' verification with 100,000 contracts in PostgreSQL, served by gunicorn.

Measures, in one run against a bare Django view on the same server (the baseline):
- ``POST /api/v1/verifications`` (right number and key, drawn from 200 random contracts),
- ``POST /verify/`` (the page's form, answered by a 303 to the result),
- ``GET /verify/result/<token>/`` (the certificate screen with its status banner),
throughput and p99 latency with wrk, and the queries per verification (Django's query capture).

The limits stay on, raised through the environment (VERIFICATION_SUCCESSES_PER_CLIENT,
VERIFICATION_FAILURES_PER_CLIENT and VERIFICATION_FAILURES_PER_NUMBER: every request of the run comes
from 127.0.0.1), so every request still runs the Lua script in Redis. A refused request (429) fails
the run.

Run: ``make bench`` or ``.venv/bin/python bench/verify.py``. The first run seeds the bench database
(``seed_demo --guarantees 100000``, several minutes); later runs reuse it. Targets only 127.0.0.1.
Environment: BENCH_VERIFY_DATABASE_URL, BENCH_VERIFY_REDIS_URL, BENCH_VERIFY_PORT, BENCH_SECONDS.

This file is also the WSGI module gunicorn serves (``verify:application``): the portal's URLs plus
``/bench/bare``, so the baseline goes through the same middleware, workers and settings.
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_VERIFY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
REDIS_URL = os.environ.get("BENCH_VERIFY_REDIS_URL", "redis://127.0.0.1:6379/4")
PORT = int(os.environ.get("BENCH_VERIFY_PORT", "8401"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
GUARANTEES = 100_000
SAMPLE = 200
WORKERS = 2
CONNECTIONS = 16
# 32 characters: Django accepts the unmasked secret as the form token.
CSRF_SECRET = "benchcsrfsecret0123456789abcdefg"  # noqa: S105 - a throwaway CSRF value, not a secret


# --- The WSGI side (imported by gunicorn as ``verify``) ------------------------------------------


def _bare(request: Any) -> Any:
    from django.http import HttpResponse

    return HttpResponse(b"ok", content_type="text/plain")


def __getattr__(name: str) -> Any:
    # ROOT_URLCONF points at this module; Django reads ``urlpatterns`` only once a request comes in.
    if name == "urlpatterns":
        from django.urls import include, path

        return [path("bench/bare", _bare), path("", include("config.urls"))]
    raise AttributeError(name)


@functools.cache
def _wsgi() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    settings.ROOT_URLCONF = __name__
    return app


def application(environ: dict[str, Any], start_response: Any) -> Any:
    return _wsgi()(environ, start_response)


# --- The benchmark -------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "DEBUG": "false",
            "LOG_LEVEL": "ERROR",
            "DB_CONN_MAX_AGE": "60",
            "VERIFICATION_SUCCESSES_PER_CLIENT": str(10**9),
            "VERIFICATION_FAILURES_PER_CLIENT": str(10**9),
            "VERIFICATION_FAILURES_PER_NUMBER": str(10**9),
            "VERIFICATION_REDIS_PREFIX": f"bench-verify-{os.getpid()}",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
        }
    )
    return env


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(), check=True)


def _prepare_database() -> None:
    name = urllib.parse.urlparse(DATABASE_URL).path.lstrip("/")
    query = "SELECT 1 FROM pg_database WHERE datname = :'name'"
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", f"name={name}", "-tA"],
        input=query,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    _manage("migrate", "--noinput", "-v0")
    started = time.monotonic()
    _manage("seed_demo", "--guarantees", str(GUARANTEES))
    print(f"database ready ({time.monotonic() - started:.1f} s)")


def _django() -> None:
    os.environ.update(_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _sample_pairs() -> list[tuple[str, str]]:
    """Numbers and their keys for ``SAMPLE`` random electronic contracts (keys decrypted here, in
    the benchmark's own process, with the development key the seed used)."""
    from authkeys import keys
    from authkeys.models import AuthKey

    ids = list(AuthKey.objects.filter(revoked_at__isnull=True).values_list("id", flat=True))
    chosen = random.Random(7).sample(ids, min(SAMPLE, len(ids)))
    rows = AuthKey.objects.filter(id__in=chosen).select_related("guarantee")
    return [
        (number, keys.decrypt_key(contract_number=number, ciphertext=row.ciphertext))
        for row in rows
        for number in [row.guarantee.number]
    ]


def _queries_per_verification(number: str, key: str) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def counted(call: Any) -> tuple[int, Any]:
        with CaptureQueriesContext(connection) as queries:
            response = call()
        real = [q for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
        return len(real), response

    client = Client(REMOTE_ADDR="127.0.0.1")
    body = {"contract_number": number, "auth_key": key}
    api, response = counted(
        lambda: client.post("/api/v1/verifications", body, content_type="application/json")
    )
    assert response.status_code == 200, response.content
    page, response = counted(lambda: client.post("/verify/", {"contract_number": number, "auth_key": key}))
    assert response.status_code == 303
    result, response = counted(lambda: client.get(response["Location"]))
    assert response.status_code == 200
    wrong, response = counted(
        lambda: client.post(
            "/api/v1/verifications",
            {"contract_number": number, "auth_key": "AAAAAAAAAAAA"},
            content_type="application/json",
        )
    )
    assert response.status_code == 404
    return {"api": api, "page_post": page, "result_page": result, "api_wrong_key": wrong}


def _tokens(pairs: list[tuple[str, str]]) -> list[str]:
    from django.test import Client

    client = Client(REMOTE_ADDR="127.0.0.1")
    locations = []
    for number, key in pairs[:20]:
        response = client.post("/verify/", {"contract_number": number, "auth_key": key})
        locations.append(response["Location"])
    return locations


def _lua(requests: list[tuple[str, str, dict[str, str], str]]) -> str:
    def quote(text: str) -> str:
        return json.dumps(text)  # a JSON string is a valid Lua string literal for this ASCII data

    entries = []
    for method, path, headers, body in requests:
        header_table = ", ".join(f"[{quote(k)}] = {quote(v)}" for k, v in headers.items())
        entries.append(f"{{{quote(method)}, {quote(path)}, {{{header_table}}}, {quote(body)}}}")
    return (
        "local requests = {\n  "
        + ",\n  ".join(entries)
        + "\n}\nlocal i = 0\nrequest = function()\n  i = i % #requests + 1\n  local r = requests[i]\n"
        + '  if r[4] == "" then return wrk.format(r[1], r[2], r[3]) end\n'
        + "  return wrk.format(r[1], r[2], r[3], r[4])\nend\n"
    )


def _wrk(name: str, lua: str, seconds: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        base = f"http://127.0.0.1:{PORT}"
        warm_up = ["wrk", "-t2", f"-c{CONNECTIONS}", "-d1s", "-s", script.name, base]
        subprocess.run(warm_up, capture_output=True, check=False)
        out = subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", script.name, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99_text = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
    assert p99_text, out
    p99 = float(p99_text.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_text.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p99_ms": p99,
        "bad_responses": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",  # type: ignore[dict-item]
    }


def _json(number: str, key: str) -> str:
    return json.dumps({"contract_number": number, "auth_key": key})


def _start_gunicorn() -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "verify:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_env(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/bare", timeout=1) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is missing: install the Debian package wrk (make bench installs APT_BENCH)")
        return 1
    started = time.monotonic()
    _prepare_database()
    _django()
    pairs = _sample_pairs()
    queries = _queries_per_verification(*pairs[0])
    results_by_page = _tokens(pairs)
    json_headers = {"Content-Type": "application/json"}
    form_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={CSRF_SECRET}",
    }
    scenarios = {
        "bare Django view": _lua([("GET", "/bench/bare", {}, "")]),
        "API POST /api/v1/verifications": _lua(
            [("POST", "/api/v1/verifications", json_headers, _json(n, k)) for n, k in pairs]
        ),
        "page POST /verify/ (303)": _lua(
            [
                (
                    "POST",
                    "/verify/",
                    form_headers,
                    urllib.parse.urlencode(
                        {"csrfmiddlewaretoken": CSRF_SECRET, "contract_number": n, "auth_key": k}
                    ),
                )
                for n, k in pairs
            ]
        ),
        "page GET result (certificate)": _lua([("GET", location, {}, "") for location in results_by_page]),
    }
    server = _start_gunicorn()
    try:
        figures = {name: _wrk(name, lua, SECONDS) for name, lua in scenarios.items()}
    finally:
        server.terminate()
        server.wait(timeout=10)
    baseline = figures["bare Django view"]
    print(f"\nverify: gunicorn {WORKERS} sync workers, wrk -t2 -c{CONNECTIONS} -d{SECONDS}s,", end=" ")
    print(f"{GUARANTEES:,} contracts")
    print(f"{'scenario':36} {'req/s':>9} {'p99 ms':>8} {'req/s ratio':>12} {'p99 ratio':>10}", end=" ")
    print(f"{'non-2xx/3xx':>12}")
    for name, figure in figures.items():
        print(
            f"{name:36} {figure['rps']:9.0f} {figure['p99_ms']:8.2f} {figure['rps'] / baseline['rps']:12.2f} "
            f"{figure['p99_ms'] / baseline['p99_ms']:10.2f} {figure['bad_responses']:12d}"
        )
    print(
        "queries per verification (BEGIN/COMMIT not counted): "
        + ", ".join(f"{name} {count}" for name, count in queries.items())
    )
    print(f"total time {time.monotonic() - started:.0f} s")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "verify.json").write_text(
        json.dumps({"figures": figures, "queries": queries, "seconds": SECONDS, "workers": WORKERS}, indent=2)
    )
    bad = sum(int(figure["bad_responses"]) for figure in figures.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
