#!/usr/bin/env bash
# Run every benchmark in bench/ (one script per capability), then print ONE table of all of them:
# each path, its figure, its baseline measured in the same run, the ratio and the target
# (bench/table.py). Each script also writes its figures to bench/results/. A script that fails is
# shown as "not run" in the table; the others still run. Takes about 6-8 minutes on 2 cores
# (the first run seeds the 100,000-guarantee database and takes a few minutes more).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
started=$(date +%s)
status=0
# Order: the seed timing first (its own database), start-up, then the list (which seeds the shared
# bench database the search and the verification benchmarks read), PDFs and mail last.
for name in seed startup portal_list admin_search verify pdf notify application_quote; do
  script="bench/$name.py"
  [ -f "$script" ] || continue
  echo "== $script"
  .venv/bin/python "$script" || { echo "!! $script failed"; status=1; }
done
.venv/bin/python bench/table.py --since "$started" --elapsed "$(( $(date +%s) - started ))"
exit $status
