"""The one table of ``make bench``: each path, its figure, its baseline, the ratio and the target.

Reads what the benchmarks of this run wrote to bench/results/ (files older than ``--since``, a Unix
time, count as not run) and says which targets are met. Exit status 0 whatever the figures: a
benchmark reports, it does not gate.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

Row = tuple[str, str, str, str, str, bool | None]


def _load(name: str, since: float) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    if not path.exists() or path.stat().st_mtime < since:
        return None
    return json.loads(path.read_text())


def _list(data: dict[str, Any]) -> list[Row]:
    bare, page = data["bare_20_rows"], data["list_page"]
    return [
        (
            "保証工事一覧 (1,002 of 100,000, logged in): throughput",
            f"{page['rps']:,.0f} req/s",
            f"bare view {bare['rps']:,.0f} req/s",
            f"{data['throughput_ratio']:.2f}",
            "≥ 0.35",
            data["throughput_ratio"] >= 0.35,
        ),
        (
            "保証工事一覧: p99 latency",
            f"{page['p99_ms']:.1f} ms",
            f"bare view {bare['p99_ms']:.1f} ms",
            f"{data['p99_ratio']:.2f}",
            "≤ 2",
            data["p99_ratio"] <= 2,
        ),
    ]


def _verify(data: dict[str, Any]) -> list[Row]:
    figures = data["figures"]
    bare = figures["bare Django view"]
    rows: list[Row] = []
    for name, figure in figures.items():
        if name == "bare Django view" or "POST" not in name:
            continue
        rps, p99 = figure["rps"] / bare["rps"], figure["p99_ms"] / bare["p99_ms"]
        rows.append(
            (
                f"verification {name}",
                f"{figure['rps']:,.0f} req/s, p99 {figure['p99_ms']:.1f} ms",
                f"bare {bare['rps']:,.0f} req/s, p99 {bare['p99_ms']:.1f} ms",
                f"{rps:.2f} / p99 {p99:.2f}",
                "≥ 0.30 / p99 ≤ 3",
                rps >= 0.30 and p99 <= 3,
            )
        )
    return rows


def _pdf(data: dict[str, Any]) -> list[Row]:
    f = data["figures"]
    rows: list[Row] = []
    if "reportlab_ms" in f:
        rows.append(
            (
                "certificate PDF, warm render + signature",
                f"{f['warm_ms']:.1f} ms",
                f"ReportLab same page {f['reportlab_ms']:.1f} ms",
                f"{f['certificate_ratio']:.2f}",
                "≤ 4",
                f["certificate_ratio"] <= 4,
            )
        )
        rows.append(
            (
                "key notice PDF on demand",
                f"{f['notice_ms']:.1f} ms",
                f"ReportLab same page {f['reportlab_ms']:.1f} ms",
                f"{f['notice_ratio']:.2f}",
                "≤ 4",
                f["notice_ratio"] <= 4,
            )
        )
    return rows


def _notify(data: dict[str, Any]) -> list[Row]:
    growth = data["worker_rss_at_end_mib"] / max(data["worker_rss_at_10pct_mib"], 1)
    return [
        (
            f"16:00 notice, {data['certificates']:,} certificates / {data['contractors']:,} contractors",
            f"{data['pipeline_seconds']:.1f} s",
            f"smtplib, one connection {data['baseline_smtplib_seconds']:.1f} s",
            f"{data['ratio_pipeline_to_smtplib']:.2f}",
            "≤ 2",
            data["ratio_pipeline_to_smtplib"] <= 2,
        ),
        (
            "16:00 notice: worker memory 10 % → 100 %",
            f"{data['worker_rss_at_10pct_mib']:.0f} → {data['worker_rss_at_end_mib']:.0f} MiB",
            "—",
            f"{growth:.2f}",
            "flat (≤ 1.10)",
            growth <= 1.10,
        ),
    ]


def _seed(data: dict[str, Any]) -> list[Row]:
    f = data["figures"]
    return [
        (
            f"seed_demo --guarantees {int(f['guarantees']):,}",
            f"{f['seconds']:.1f} s",
            "—",
            "—",
            f"≤ {f['target_seconds']:.0f} s",
            f["seconds"] <= f["target_seconds"],
        )
    ]


def _startup(data: dict[str, Any]) -> list[Row]:
    f = data["figures"]
    rows: list[Row] = []
    if "runtime_ratio" in f:  # the shape of every deployed process: the target is read here
        rows.append(
            (
                "manage.py check start-up (runtime virtualenv)",
                f"{f['runtime_portal_check_ms']:,.0f} ms",
                f"bare Django project {f['runtime_bare_check_ms']:,.0f} ms",
                f"{f['runtime_ratio']:.2f}",
                "≤ 1.5",
                f["runtime_ratio"] <= 1.5,
            )
        )
    rows.append(
        (
            "manage.py check start-up (development virtualenv)",
            f"{f['portal_check_ms']:,.0f} ms",
            f"bare Django project {f['bare_check_ms']:,.0f} ms",
            f"{f['ratio']:.2f}",
            "— (shown)" if "runtime_ratio" in f else "≤ 1.5",
            None if "runtime_ratio" in f else f["ratio"] <= 1.5,
        )
    )
    return rows


def _search(data: dict[str, Any]) -> list[Row]:
    f = data["figures"]
    indexed = bool(f["uses_trigram_index"])
    return [
        (
            "admin search 工事名 / 発注者 / 保証契約者 (100,000), slowest query",
            f"{f['worst_ms']:.1f} ms" + ("" if indexed else ", NO trigram index"),
            "—",
            "—",
            "≤ 5 ms, trigram index",
            f["worst_ms"] <= 5 and indexed,
        )
    ]


SOURCES: list[tuple[str, str, Callable[[dict[str, Any]], list[Row]]]] = [
    ("portal_list", "保証工事一覧", _list),
    ("verify", "verification", _verify),
    ("pdf", "certificate PDF", _pdf),
    ("notify", "16:00 notice", _notify),
    ("seed", "seed_demo", _seed),
    ("startup", "start-up", _startup),
    ("admin_search", "admin search", _search),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--since", type=float, default=0.0)
    parser.add_argument("--elapsed", type=float, default=None)
    args = parser.parse_args()
    rows: list[Row] = []
    for name, label, adapt in SOURCES:
        data = _load(name, args.since)
        if data is None:
            rows.append((label, "not run (or failed)", "", "", "", None))
            continue
        try:
            rows.extend(adapt(data))
        except (KeyError, TypeError, ZeroDivisionError) as exc:
            rows.append((label, f"unreadable result ({exc})", "", "", "", None))
    header = ("path", "figure", "baseline (same run)", "ratio", "target", "met")
    table = [header, *[(*row[:5], {True: "yes", False: "NO", None: "—"}[row[5]]) for row in rows]]
    widths = [max(_width(line[i]) for line in table) for i in range(len(header))]
    print()
    print("=" * 20, "make bench", time.strftime("%Y-%m-%d %H:%M %Z"), "=" * 20)
    for index, line in enumerate(table):
        print("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(line)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
    met = sum(1 for row in rows if row[5] is True)
    judged = sum(1 for row in rows if row[5] is not None)
    print(
        f"\ntargets met: {met} of {judged}"
        + (f"; make bench took {args.elapsed:.0f} s" if args.elapsed else "")
    )


def _width(text: str) -> int:
    # East Asian wide characters take two columns in a terminal.
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


if __name__ == "__main__":
    main()
