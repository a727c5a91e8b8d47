"""Permission matrix of every contractor-portal URL: anonymous, contractor A, contractor B, staff."""

from __future__ import annotations

import pytest

from tests.factories import issue_guarantee

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the login page

# (method, URL template, anonymous, contractor A, contractor B, staff). {n} is A's electronic guarantee.
MATRIX = [
    ("get", "/", LOGIN, 200, 200, 403),
    ("get", "/manual/", 200, 200, 200, 200),
    ("get", "/certificates/{n}/", LOGIN, 200, 404, 403),
    ("get", "/certificates/{n}/v1/", LOGIN, 200, 404, 403),
    ("get", "/certificates/{n}/print/", LOGIN, 200, 404, 403),
    ("get", "/certificates/{n}/v1/print/", LOGIN, 200, 404, 403),
    ("get", "/keys/{n}/", LOGIN, 200, 404, 403),
    ("post", "/keys/{n}/", LOGIN, 200, 404, 403),
    ("get", "/accounts/password/", LOGIN, 200, 200, 200),
    ("get", "/accounts/login/", 200, 302, 302, 302),
    ("get", "/accounts/login/code/", 302, 302, 302, 302),  # no pending login: back to the login page
    ("get", "/accounts/two-factor/", LOGIN, 200, 200, 403),
    ("get", "/accounts/password/reset/", 200, 200, 200, 200),
    ("get", "/accounts/password/reset/sent/", 200, 200, 200, 200),
    ("get", "/accounts/password/reset/complete/", 200, 200, 200, 200),
    ("get", "/accounts/password/reset/MQ/bad-token/", 200, 200, 200, 200),  # says the link is invalid
    ("post", "/accounts/logout/", 302, 302, 302, 302),
]
PERSONAS = ["anonymous", "contractor_a", "contractor_b", "staff"]


@pytest.fixture
def world(contractor_a, user_a, user_b, branch_clerk):
    guarantee = issue_guarantee(contractor=contractor_a)
    users = {"contractor_a": user_a, "contractor_b": user_b, "staff": branch_clerk}
    return {"number": guarantee.number, "users": users}


CASES = [
    pytest.param(method, url, persona, answers[index], id=f"{persona}-{method}-{url}")
    for method, url, *answers in MATRIX
    for index, persona in enumerate(PERSONAS)
]


@pytest.mark.parametrize(("method", "url", "persona", "expected"), CASES)
def test_every_portal_url_answers_each_persona_as_the_matrix_says(
    client, world, method, url, persona, expected
):
    # given
    if persona != "anonymous":
        client.force_login(world["users"][persona])

    # when
    response = getattr(client, method)(url.format(n=world["number"]))

    # then
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == expected


def test_the_staff_page_for_contractor_screens_explains_itself_in_japanese(client, branch_clerk):
    # given
    client.force_login(branch_clerk)

    # when
    response = client.get("/")

    # then
    assert response.status_code == 403
    assert "保証契約者（受注者）のアカウントでご利用いただけます。" in response.content.decode()
