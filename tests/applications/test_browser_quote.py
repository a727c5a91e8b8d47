"""The live fee quote in a real browser (Debian's chromium through Playwright)."""
# mypy: disable-error-code="union-attr,operator"

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test.testcases import LiveServerThread

from .conftest import make_draft

PORT = 8721  # this area's port range is 8700-8799
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def portal_server(transactional_db):
    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=PORT)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{PORT}"
    thread.terminate()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_fee_quote_follows_the_amount_as_it_is_typed(portal_server, user_a, orderer, tokyo_branch):
    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import expect, sync_playwright

    # given a contractor's draft on the amounts step, logged in through a session cookie
    application = make_draft(user_a, orderer, tokyo_branch, guarantee_amount=None)
    client = Client()
    client.force_login(user_a)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": portal_server}]
            )
            page = context.new_page()
            page.goto(f"{portal_server}/applications/{application.pk}/step/amounts/")
            quote = page.locator("#fee-quote")
            # when the contractor types the advance in full-width digits
            page.fill("input[name=guarantee_amount]", "４０，０００，０００")
            # then the quote shows the fee with the e-Net discount
            expect(quote).to_contain_text("23,800円")
            expect(quote).to_contain_text("e-Net割引 200円")
            # and below 3,000,000 yen there is no discount
            page.fill("input[name=guarantee_amount]", "2999999")
            expect(quote).to_have_text("保証料 1,799円")
        finally:
            browser.close()
