"""A malformed 保証契約番号 in an address is a 404, never an error: a NUL byte, a path, letters, a
number too long. Full-width digits and hyphens still find the guarantee."""

import pytest

from demo import brochure


@pytest.fixture
def contractor_client(client, db):
    brochure.seed_brochure()
    client.login(username=brochure.DEMO_LOGIN, password=brochure.DEMO_PASSWORD)
    return client


@pytest.mark.parametrize(
    "bad",
    [
        "%00",
        "x",
        "107000047",
        "9" * 40,
        "%3Cscript%3E",
        "1070000473%00",
        "１０７-０００-０４７",
        "107-000-047-3-0",
    ],
)
@pytest.mark.parametrize(
    "template",
    [
        "/certificates/{}/",
        "/certificates/{}/print/",
        "/keys/{}/",
        "/verify/history/{}/",
        "/applications/advances/{}/plan/",
    ],
)
def test_a_malformed_number_in_an_address_is_not_found(contractor_client, template, bad):
    assert contractor_client.get(template.format(bad)).status_code == 404


def test_a_number_typed_with_full_width_digits_and_a_hyphen_still_opens_the_certificate(contractor_client):
    assert contractor_client.get("/certificates/１０７-０００-０４７３/").status_code == 200
    assert contractor_client.get("/verify/history/１０７０００ー０４７３/").status_code == 200


@pytest.mark.parametrize(
    "template",
    ["/certificates/{}/", "/certificates/{}/print/", "/keys/{}/", "/verify/history/{}/"],
)
def test_every_screen_of_a_number_opens_with_the_number_typed_in_full_width(contractor_client, template):
    typed = "１０７０００　０４７３"  # full-width digits and an ideographic space
    assert contractor_client.get(template.format(typed)).status_code == 200
    assert contractor_client.get(template.format(brochure.ADVANCE_NUMBER)).status_code == 200
