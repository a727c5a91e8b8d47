"""Personas shared by the whole suite: contractor_a, contractor_b, orderer, branch_clerk, stranger."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation

from tests.factories import BranchFactory, ContractorFactory, OrdererFactory, UserFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    """Login failure counters live in the cache (this test run's own Redis database): each test
    starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's language: a request in English leaves its language active in
    the thread (LocaleMiddleware activates, nothing deactivates), and the next test's messages would
    be English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def tokyo_branch(db):
    return BranchFactory()


@pytest.fixture
def orderer(db):
    return OrdererFactory()


@pytest.fixture
def contractor_a(db):
    return ContractorFactory(company_name="株式会社アルファ建設")


@pytest.fixture
def contractor_b(db):
    return ContractorFactory(company_name="株式会社ベータ土木")


@pytest.fixture
def user_a(contractor_a):
    return UserFactory(username="alpha", contractor=contractor_a)


@pytest.fixture
def user_b(contractor_b):
    return UserFactory(username="beta", contractor=contractor_b)


@pytest.fixture
def branch_clerk(tokyo_branch):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(username="clerk", is_staff=True, branch=tokyo_branch)
    clerk.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["guarantees", "certificates", "authkeys"])
    )
    return clerk


@pytest.fixture
def rate_table(db):
    """The demo rate table 「デモ用の料率」 (demo/rates.py), which ``seed_demo`` loads: no migration
    brings a rate table, so a test that quotes a fee has it made here."""
    from demo.rates import seed_demo_rates

    seed_demo_rates()


@pytest.fixture
def head_office(db):
    return UserFactory(username="honsha", is_staff=True, is_superuser=True)


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")


# --- Browser tests -------------------------------------------------------------------------------
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make between
# browser steps are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright, one per test session (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is missing at {CHROMIUM}: run `make apt-test`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
