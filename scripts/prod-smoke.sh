#!/usr/bin/env bash
# Smoke test of the production shape: start make prod's processes, check them from outside, stop.
set -euo pipefail
cd "$(dirname "$0")/.."
export PROD_PORT="${PROD_PORT:-8800}"
log=$(mktemp)
bash scripts/prod.sh >"$log" 2>&1 &
runner=$!
cleanup() { kill "$runner" 2>/dev/null || true; wait "$runner" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT
base="http://127.0.0.1:$PROD_PORT"
fail() { echo "prod smoke: $*"; echo "--- process log"; tail -40 "$log"; exit 1; }
for _ in $(seq 300); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 1; done
source scripts/prod-env.sh
https=(-H "X-Forwarded-Proto: https")

health=$(curl -fs "$base/healthz") || fail "healthz did not answer"
echo "$health" | grep -q '"database": "ok"' || fail "database not ok: $health"
echo "$health" | grep -q '"redis": "ok"' || fail "redis not ok: $health"
echo "$health" | grep -q '"oldest_unsent_mail_age_seconds"' || fail "no mail queue age: $health"
echo "$health" | grep -q '"last_notice_run"' || fail "no last notice run: $health"

headers=$(curl -s -D - -o /dev/null "${https[@]}" "$base/accounts/login/")
echo "$headers" | grep -qi '^strict-transport-security: max-age=31536000' || fail "no HSTS: $headers"
echo "$headers" | grep -qi "^content-security-policy: default-src 'self'" || fail "no CSP"
echo "$headers" | grep -qi '^x-content-type-options: nosniff' || fail "no nosniff"
echo "$headers" | grep -qi '^x-frame-options: DENY' || fail "no frame protection"
echo "$headers" | grep -qi '^referrer-policy: same-origin' || fail "no referrer policy"
echo "$headers" | grep -qi '^set-cookie: __Host-csrftoken=.*; secure' || fail "csrf cookie not secure"

code=$(curl -s -o /dev/null -w '%{http_code}' "${https[@]}" "$base/admin/")
[ "$code" = 302 ] || fail "admin did not ask for a login ($code)"
static=$(curl -s -D - -o /dev/null "${https[@]}" "$base/static/admin/css/base.css")
echo "$static" | grep -q ' 200' || fail "static files not served"
echo "$static" | grep -qi '^cache-control: max-age' || fail "static files without cache headers"
page=$(curl -s "${https[@]}" "$base/no-such-page/")
echo "$page" | grep -q 'お問い合わせ番号' || fail "404 page without incident number"
echo "$page" | grep -qi 'traceback' && fail "404 page shows internals"

for _ in $(seq 30); do
  .venv/bin/celery -A config inspect ping --timeout 2 >/dev/null 2>&1 && break; sleep 1
done
.venv/bin/celery -A config inspect ping --timeout 5 >/dev/null 2>&1 || fail "celery worker did not answer"
pgrep -f "celery -A config beat" >/dev/null || fail "celery beat is not running"
echo "prod smoke: web, worker and beat up; headers, static files, error pages as expected"
