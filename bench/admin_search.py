"""Benchmark: branch staff's search of guarantees in the admin over 100,000 guarantees.

Uses the list benchmark's database (``BENCH_DATABASE_URL``, default portal_bench, 100,000 generated
guarantees; seeded by bench/portal_list.py, which run.sh runs first). For a few searches by 工事名,
発注者 and 保証契約者 it builds the admin's own queryset (``GuaranteeAdmin.get_search_results`` on the
change list's queryset, ordered as the change list orders it) and times, in this process, the page
query (LIMIT 50) and the count the change list runs, each the median of repeated runs; it checks
with EXPLAIN that the plan uses the trigram index. Baseline: the same search the way Django's admin
builds it by default (``ModelAdmin.get_search_results``), which scans. Writes
bench/results/admin_search.json. About 10-20 s.
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import common  # bench/common.py, beside this script

# The generated data has few distinct words (8 places, 7 kinds of work, その1-8): one word of a work
# name matches about a seventh of all guarantees, so the 工事名 search quotes a whole name, as staff
# looking for one would; the one-word search is shown too, outside the target.
TERMS = {
    "工事名": '"鹿児島港 砂防堰堤工事 その3"',
    "工事名 (one word, ~14,000 matches)": "排水路整備工事",
    "発注者": "第042市長",
    "保証契約者": "九州建設0012",
}
TARGET_MS = 5.0


def _median_ms(fn: Callable[[], object], runs: int = 15) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _page(queryset: Any) -> list[Any]:
    return list(queryset[:50])


def main() -> None:
    os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
    common.setup_django(migrate=False)
    from django.contrib import admin
    from django.db import connection
    from django.test import RequestFactory

    from accounts.models import User
    from guarantees.models import Guarantee

    report = common.Report("admin_search")
    total = Guarantee.objects.count()
    if total < 100_000:
        raise SystemExit(f"admin_search needs the seeded bench database ({total} guarantees)")
    model_admin = admin.site._registry[Guarantee]
    request = RequestFactory().get("/admin/guarantees/guarantee/")
    request.user = User.objects.get(username="staff")
    worst = 0.0
    uses_index = True
    for label, term in TERMS.items():
        base = model_admin.get_queryset(request)
        ours, _ = model_admin.get_search_results(request, base, term)
        ours = ours.order_by(*ours.query.order_by, "-pk")  # as the change list orders it
        django_own, _ = admin.ModelAdmin.get_search_results(model_admin, request, base, term)
        django_own = django_own.order_by("-pk")
        page_ms = _median_ms(functools.partial(_page, ours))
        count_ms = _median_ms(ours.count)
        default_ms = _median_ms(functools.partial(_page, django_own), runs=3)
        sql, params = ours[:50].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        indexed = "_trgm" in plan
        uses_index = uses_index and indexed
        matches = ours.count()
        if not label.startswith("工事名 ("):
            worst = max(worst, page_ms, count_ms)
        report.add(
            f"{label} 「{term}」 ({matches:,} matches): page of 50", page_ms, "ms", key=f"{label}_page_ms"
        )
        report.add("  its count", count_ms, "ms", key=f"{label}_count_ms")
        report.add("  Django's default admin search, page of 50", default_ms, "ms", key=f"{label}_default_ms")
        report.note("  plan uses a trigram index", "yes" if indexed else "NO")
    report.figures["guarantees"] = total
    report.figures["worst_query_ms"] = round(worst, 3)
    report.figures["uses_trigram_index"] = 1.0 if uses_index else 0.0
    report.figures["target_ms"] = TARGET_MS
    report.add("slowest query of the searches by name", worst, "ms", key="worst_ms")
    report.finish()


if __name__ == "__main__":
    main()
