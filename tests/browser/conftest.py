"""Pages of the contractor portal in Debian's chromium (the shared ``browser`` fixture of
tests/conftest.py) against pytest-django's live server; screenshots go to test-artifacts/portal/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "portal"


@pytest.fixture
def page(browser, live_server):
    cache.clear()
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
    cache.clear()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, **options: object) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, **options)

    return take
