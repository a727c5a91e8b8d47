#!/usr/bin/env bash
# Environment for running the production settings locally (make prod, the deploy check and the
# smoke test): fresh random secrets for this run, the machine's PostgreSQL and Redis, plain HTTP on
# loopback. A real deployment supplies its own values (docs/deploy.md).
export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="${SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export KEY_ENCRYPTION_KEY="${KEY_ENCRYPTION_KEY:-$(python3 -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())')}"
export DATABASE_URL="${PROD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_prod}"
export REDIS_URL="${PROD_REDIS_URL:-redis://127.0.0.1:6379/2}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export EMAIL_HOST="${EMAIL_HOST:-127.0.0.1}"
export EMAIL_PORT="${EMAIL_PORT:-8825}"
export PORTAL_VAR_DIR="${PORTAL_VAR_DIR:-$PWD/var/prod}"
# The local production shape signs PDFs with the development pair (created on first use); a real
# deployment supplies the guarantor's own pair and leaves PDF_SIGNING_DEV_PAIR unset (docs/pdf.md).
export PDF_SIGNING_KEY="${PDF_SIGNING_KEY:-$PORTAL_VAR_DIR/signing/dev-signing-key.pem}"
export PDF_SIGNING_CERT="${PDF_SIGNING_CERT:-$PORTAL_VAR_DIR/signing/dev-signing-cert.pem}"
export PDF_SIGNING_CHAIN="${PDF_SIGNING_CHAIN:-$PORTAL_VAR_DIR/signing/dev-root-ca.pem}"
export PDF_SIGNING_DEV_PAIR="${PDF_SIGNING_DEV_PAIR:-true}"
# Loopback stands in for the TLS proxy: Django trusts X-Forwarded-Proto, and does not redirect plain
# HTTP so that http://127.0.0.1:8800/ works in a browser. Production keeps the redirect on.
export SECURE_PROXY_SSL_HEADER_ENABLED="${SECURE_PROXY_SSL_HEADER_ENABLED:-true}"
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
export PROD_PORT="${PROD_PORT:-8800}"
