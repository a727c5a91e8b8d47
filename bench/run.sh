#!/usr/bin/env bash
# Run every benchmark in bench/ (one script per capability). Each prints ratios taken in one run
# against a baseline on the same machine; results also go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
status=0
for script in bench/*.py; do
  [ "$(basename "$script")" = "common.py" ] && continue
  echo "== $script"
  .venv/bin/python "$script" || status=1
done
exit $status
