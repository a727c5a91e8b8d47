#!/usr/bin/env bash
# make prod: the production shape on this machine — gunicorn (web), one Celery worker and one
# Celery beat, on the production settings against PostgreSQL and Redis. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prod-env.sh
PY=.venv/bin/python
db="${DATABASE_URL##*/}"
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
mkdir -p "$PORTAL_VAR_DIR"
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py seed_demo >/dev/null

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

GUNICORN_BIND="127.0.0.1:$PROD_PORT" GUNICORN_WORKERS="${GUNICORN_WORKERS:-2}" \
  .venv/bin/gunicorn config.wsgi -c config/gunicorn.py & pids+=($!)
.venv/bin/celery -A config worker --loglevel INFO --concurrency 2 --hostname "worker@%h" & pids+=($!)
.venv/bin/celery -A config beat --loglevel INFO --schedule "$PORTAL_VAR_DIR/celerybeat-schedule" & pids+=($!)
echo "production shape running: http://127.0.0.1:$PROD_PORT/ (web, worker, beat); Ctrl-C stops"
wait -n "${pids[@]}"
