"""The live fee quote in a real browser (Debian's chromium through Playwright)."""
# mypy: disable-error-code="union-attr,operator"

import pytest

from .conftest import make_draft


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_fee_quote_follows_the_amount_as_it_is_typed(live_server, browser, user_a, orderer, tokyo_branch):
    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import expect

    # given a contractor's draft on the amounts step, logged in through a session cookie
    application = make_draft(user_a, orderer, tokyo_branch, guarantee_amount=None)
    client = Client()
    client.force_login(user_a)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    portal_server = live_server.url
    context = browser.new_context()
    try:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": portal_server}])
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
        context.close()
