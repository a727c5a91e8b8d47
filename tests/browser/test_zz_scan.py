import json
import pytest
from guarantees import demo
from tests.browser import a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_scan(browser, live_server):
    world = demo.seed_brochure()
    ctx = browser.new_context(base_url=live_server.url, **a11y.context_options())
    page = ctx.new_page()
    out = {}
    def scan(name):
        out[name] = {"f": a11y.axe_findings(page)}
        page.set_viewport_size(a11y.PHONE)
        out[name]["w"] = a11y.page_width(page)
        page.screenshot(path=f"/tmp/h14scan-{name}.png", full_page=True)
        page.set_viewport_size(a11y.DESKTOP)
    page.goto("/verify/"); scan("verify")
    page.fill("#id_contract_number", "1070000473"); page.fill("#id_auth_key", "K5VL4+5QG_KJ"); page.click("main button[type=submit]")
    scan("verify-result")
    page.goto("/accounts/login/"); scan("login")
    page.goto("/accounts/password/reset/"); scan("reset")
    page.goto("/manual/"); scan("manual")
    page.goto("/accounts/login/")
    page.fill("input[name=username]", demo.DEMO_LOGIN); page.fill("input[name=password]", demo.DEMO_PASSWORD); page.click("main [type=submit]")
    page.wait_for_url(live_server.url + "/")
    scan("list")
    page.goto("/certificates/1070000473/"); scan("certificate")
    page.goto("/certificates/1070000473/print/"); scan("print")
    page.goto("/keys/1070000473/"); scan("key-before")
    page.click("main button:has-text('表示')"); scan("key")
    page.goto("/applications/"); scan("apps")
    page.goto("/applications/changes/"); scan("changes")
    page.goto("/accounts/password/"); scan("pwchange")
    page.goto("/accounts/two-factor/"); scan("2fa")
    page.goto("/notifications/subscribe/"); scan("subscribe")
    page.click("form.app-inline button:has-text('前払金保証')") if False else None
    page.goto("/applications/")
    page.click("form.app-inline button >> nth=0")
    scan("wiz-kind")
    print(json.dumps(out, ensure_ascii=False, indent=1))
    ctx.close()
