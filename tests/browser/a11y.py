"""Accessibility and small-screen checks shared by the browser tests.

axe-core comes from the npm registry through the committed package-lock.json (``make npm-test``, run
by ``make setup-test``); the tests inject ``node_modules/axe-core/axe.min.js`` from disk, never from
the network. JIS X 8341-3:2016 asks for WCAG 2.0 level AA; the WCAG 2.1 AA rules are run as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
PHONE_WIDTH = 375
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": PHONE_WIDTH, "height": 812}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def context_options(**extra: Any) -> dict[str, Any]:
    """A browser context for axe: Playwright injects axe as a script element, which the portal's
    strict CSP would refuse, so these contexts bypass CSP (the CSP itself is tested on the server's
    responses, tests/test_security.py)."""
    return {
        "locale": "ja-JP",
        "timezone_id": "Asia/Tokyo",
        "viewport": DESKTOP,
        "bypass_csp": True,
        **extra,
    }


def axe_findings(page: Page) -> list[dict[str, Any]]:
    """The serious and critical axe-core findings on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make npm-test` (npm ci).")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]


def assert_accessible(page: Page) -> None:
    findings = axe_findings(page)
    assert findings == [], f"{page.url}: {findings}"


def page_width(page: Page) -> int:
    return int(page.evaluate("document.scrollingElement.scrollWidth"))


def check_screen(page: Page, folder: str, name: str, *, phone: bool = True) -> None:
    """axe-core at desktop width, a desktop screenshot, then at 375 px: no horizontal scrolling,
    axe-core again and a phone screenshot. The viewport is put back to desktop afterwards."""
    directory = ARTIFACTS / folder
    directory.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    assert_accessible(page)
    page.screenshot(path=str(directory / f"{name}-desktop.png"), full_page=True)
    if phone:
        page.set_viewport_size(PHONE)
        width = page_width(page)
        assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide at {PHONE_WIDTH}px"
        assert_accessible(page)
        page.screenshot(path=str(directory / f"{name}-375.png"), full_page=True)
        page.set_viewport_size(DESKTOP)


def focused(page: Page) -> dict[str, Any]:
    """What has the keyboard focus: tag, text or value, and whether a focus ring is drawn."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {
            tag: el.tagName.toLowerCase(),
            text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim(),
            name: el.getAttribute('name') || '',
            id: el.id || '',
            href: el.getAttribute('href') || '',
            // Inside a date field Chromium focuses its own segments (年, 月, 日) and calendar button
            // and draws their focus itself (the host then does not even match :focus); everywhere
            // else the portal's own outline must be drawn.
            ring: el.type === 'date'
              || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2),
          };
        }"""
    )


def tab_to(page: Page, predicate: Any, *, limit: int = 80) -> dict[str, Any]:
    """Press Tab until ``predicate(focused)`` holds; every stop on the way must show a focus ring.

    The page's stylesheet must have loaded first: a Tab pressed while a form's answer is still
    arriving lands on the new page before its CSS applies, where only Chromium's own 1 px ring is."""
    page.wait_for_load_state("load")
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] != "body":
            assert now["ring"], f"no visible focus on {now}"
        if predicate(now):
            return now
    raise AssertionError(f"Tab never reached the element on {page.url}")
