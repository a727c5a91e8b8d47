# 電子保証ポータル — one command to run the demo, one to test everything.
#
#   make run    set up, migrate, load the brochure's demo, serve http://127.0.0.1:8000/
#   make test   set up and run every check (ruff, mypy, Django checks, pytest on PostgreSQL)
#   make bench  run the benchmarks in bench/ (PostgreSQL, Redis, gunicorn, wrk)

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.13 from pyenv (.python-version) or the PATH; uv never downloads an interpreter here.
# The interpreter's own path, not pyenv's shim: uv rebuilds a virtualenv whose interpreter path changed.
PYTHON_FOUND := $(shell command -v python3.13 || ls /root/.pyenv/versions/3.13*/bin/python3.13 2>/dev/null | head -1)
PYTHON ?= $(if $(PYTHON_FOUND),$(shell $(PYTHON_FOUND) -c 'import sys; print(sys.executable)'))
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
UV := $(PYTHON) -m uv
VENV_PY := .venv/bin/python
MANAGE := $(VENV_PY) manage.py

# Debian packages the portal needs at run time (WeasyPrint's fast font subsetting, gettext for the
# catalogues) and for the tests (Debian's chromium, Playwright never downloads a browser; a private
# redis-server the fault tests stop and pause, never the shared one; faketime for make pytest-shifted).
APT_RUN := libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext
APT_TEST := chromium fonts-ipafont-gothic fonts-noto-color-emoji redis-server faketime
# The load generator of make bench (wrk against gunicorn on loopback).
APT_BENCH := wrk

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: layers pytest-shifted audit-offline deploy-check audit prod prod-smoke help setup setup-test apt-run apt-test apt-bench npm-test run test test-db lint typecheck checks pytest bench messages clean

help:
	@echo "make run    start the portal with demo data at http://127.0.0.1:8000/"
	@echo "make test   run every check and the whole test suite"
	@echo "make bench  run the benchmarks and print one table of figures and targets (docs/benchmarks.md)"
	@echo "make prod   the production shape locally: gunicorn, Celery worker and beat (docs/deploy.md)"

apt-run:
	@bash scripts/apt-ensure.sh $(APT_RUN)

apt-test:
	@bash scripts/apt-ensure.sh $(APT_TEST)

apt-bench:
	@bash scripts/apt-ensure.sh $(APT_BENCH)

.venv/.synced: pyproject.toml uv.lock
	@test -n "$(PYTHON)" || { echo "Python 3.13 is required (pyenv install 3.13, or put python3.13 on PATH)"; exit 1; }
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

setup: apt-run .venv/.synced messages

# The browser tests' accessibility checker (axe-core from the npm registry, pinned in
# package-lock.json); the tests inject node_modules/axe-core/axe.min.js, never a file from the network.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node 20 and npm are required for the browser tests"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

npm-test: node_modules/.installed

setup-test: setup apt-test npm-test

messages:
	@$(MANAGE) compilemessages --ignore=.venv -v0

run: setup
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) create_signing_pair
	$(MANAGE) seed_demo
	@echo ""
	@echo "  電子保証ポータル: http://127.0.0.1:8000/"
	@echo "    contractor (保証契約者): wjcs-demo / enet-demo-2024"
	@echo "    branch staff (admin):    staff / staff-demo-2024   http://127.0.0.1:8000/admin/"
	@echo "    orderer verification:    http://127.0.0.1:8000/verify/  1070000473 + K5VL4+5QG_KJ"
	@echo ""
	$(MANAGE) runserver 127.0.0.1:8000

lint: .venv/.synced
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: .venv/.synced
	.venv/bin/mypy .

# The layering of docs/architecture.md as import-linter contracts (pyproject.toml), imports inside
# functions included.
layers: .venv/.synced
	.venv/bin/lint-imports --no-cache

TEST_DB_NAME = $(lastword $(subst /, ,$(TEST_DATABASE_URL)))

test-db:
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$(TEST_DB_NAME)'" | grep -q 1 \
		|| psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $(TEST_DB_NAME)"

checks: .venv/.synced test-db
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(MANAGE) check --fail-level WARNING
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(MANAGE) makemigrations --check --dry-run

pytest: setup-test
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) create_signing_pair
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) .venv/bin/pytest $(PYTEST_ARGS)

# The suite again on another day: Debian's faketime shifts the clock of the pytest process (and of
# what it starts: the Celery worker, chromium) and of nothing else; PostgreSQL and Redis keep the
# real time. By default 400 days ahead at 15:30 UTC, which is 00:30 of the next day in Japan, so
# every fixed date of a fixture is long past and Japan's date is not UTC's. Any clock works:
#   make pytest-shifted SHIFTED_CLOCK="2028-01-07 06:59:59"   (15:59:59 in Japan, just before 16:00)
# A redis-server a test starts keeps the real clock (scripts/realclock/), as the shared one does.
# Only tests marked realclock (timing decided by a service's own clock) stay out. The monotonic
# clock is shifted too: FAKETIME_DONT_FAKE_MONOTONIC=1 makes time.sleep fail with EINVAL.
SHIFTED_CLOCK ?= $(shell date -u -d '+400 days' '+%Y-%m-%d') 15:30:00
SHIFTED_ARGS ?= -q -p no:randomly
pytest-shifted: setup-test
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) create_signing_pair
	@echo "pytest under faketime, clock starting at $(SHIFTED_CLOCK) UTC"
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) TZ=UTC PATH="$(CURDIR)/scripts/realclock:$$PATH" \
		faketime "$(SHIFTED_CLOCK)" .venv/bin/pytest -m "not realclock" -p no:cacheprovider $(SHIFTED_ARGS)

deploy-check: .venv/.synced
	export SECURE_SSL_REDIRECT=true && source scripts/prod-env.sh && $(MANAGE) check --deploy --fail-level WARNING

# Known vulnerabilities in the locked dependencies, on a network that reaches PyPI's advisory
# service. Fails on a finding, and fails loudly when any package could not be audited (pip-audit
# itself counts those as "skipped" and still says "No known vulnerabilities found").
audit: .venv/.synced
	@mkdir -p var && rm -f var/audit.json
	$(UV) export --frozen --format requirements-txt --no-emit-project --quiet > var/requirements-audit.txt
	-.venv/bin/pip-audit --requirement var/requirements-audit.txt --disable-pip --no-deps --progress-spinner off \
		--format json --output var/audit.json
	$(VENV_PY) scripts/audit-report.py var/audit.json

# What make test checks of the dependencies without a network, and says so: uv.lock matches
# pyproject.toml, and the installed packages are the locked ones and compatible with each other.
audit-offline: .venv/.synced
	$(UV) lock --check --offline
	$(UV) pip check --python $(VENV_PY)
	@echo "Dependencies: uv.lock matches pyproject.toml; the installed packages are compatible."
	@echo "NOT checked by make test: known vulnerabilities (run make audit where PyPI is reachable)."

prod: setup
	bash scripts/prod.sh

prod-smoke: setup
	bash scripts/prod-smoke.sh

test: setup-test lint typecheck layers checks deploy-check audit-offline pytest pytest-shifted prod-smoke

# ReportLab (the PDF baseline) is in the bench dependency group only.
bench: setup apt-bench
	@$(VENV_PY) -c "import reportlab" 2>/dev/null || $(UV) sync --frozen --inexact --group bench
	BENCH_UV="$(UV)" bash bench/run.sh

clean:
	rm -rf .venv var node_modules .mypy_cache .ruff_cache .pytest_cache
