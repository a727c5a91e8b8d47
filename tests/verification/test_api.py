"""POST /api/v1/verifications for orderers' e-contract systems."""

from __future__ import annotations

import pytest

from certificates.models import Certificate
from certificates.services import GuaranteeChanges, guarantee_change
from tests.verification.helpers import CLOSED_PORT, KEY, OTHER_KEY, UNKNOWN_NUMBER, api_verify

pytestmark = pytest.mark.django_db


def test_the_right_number_and_key_return_the_certificate_as_json(orderer_client, advance):
    response = api_verify(orderer_client, advance.number, KEY)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    # the fixture issued the certificate before the clock was set: its 発行日 is the real day
    issued = Certificate.objects.get(guarantee=advance).issued_on.isoformat()
    assert data == {
        "contract_number": advance.number,
        "kind": "advance",
        "status": "active",
        "status_label": "有効",
        "status_date": "2027-03-31",
        "status_reason": "保証期間中の有効な保証です。",
        "version": 1,
        "versions": [
            {
                "version": 1,
                "is_change": False,
                "issued_on": issued,
                "certified_on": "2026-06-01",
                "change_reason": "",
            }
        ],
        "contractor": "株式会社アルファ建設 本店",
        "orderer": advance.orderer.title,
        "work_name": "国道〇号線 道路改良工事 その1",
        "contract_amount_total": 100_000_000,
        "contract_amount_target": 100_000_000,
        "guarantee_amount": 40_000_000,
        "guarantee_period_end": "2027-03-31",
        "printed_guarantee_period_end": "2027-03-31",
        "construction_end_date": "2027-03-31",
        "bank": "三菱UFJ銀行 東京支店",
        "guarantor": "西日本建設業保証株式会社",
        "branch": "東京支店",
        "issued_on": issued,
        "certified_on": "2026-06-01",
    }


def test_a_changed_guarantee_returns_its_newest_version_and_all_versions(orderer_client, advance):
    guarantee_change(
        guarantee=advance, changes=GuaranteeChanges(guarantee_amount=38_000_000), changed_by=None
    )
    data = api_verify(orderer_client, advance.number, KEY).json()
    assert (data["status"], data["version"], data["guarantee_amount"]) == ("changed", 2, 38_000_000)
    assert [v["version"] for v in data["versions"]] == [2, 1]
    assert [v["is_change"] for v in data["versions"]] == [True, False]


def test_input_is_normalised_like_on_the_page(orderer_client, advance):
    typed = "１０７ ０００ ０００１" if advance.number == "1070000001" else advance.number
    assert api_verify(orderer_client, typed, "k5vl4-+5qg_kj").status_code == 200


def test_an_unknown_number_and_a_wrong_key_are_the_same_404(orderer_client, advance):
    unknown = api_verify(orderer_client, UNKNOWN_NUMBER, OTHER_KEY)
    wrong_key = api_verify(orderer_client, advance.number, OTHER_KEY)
    assert unknown.status_code == wrong_key.status_code == 404
    assert unknown.content == wrong_key.content
    assert unknown.json() == {"code": "not_found", "message": "番号または認証キーが正しくありません"}
    assert sorted(unknown.headers) == sorted(wrong_key.headers)


def test_malformed_input_is_400_with_field_errors(orderer_client):
    response = api_verify(orderer_client, "107000047", "K5VL4+5QG_K")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert data["errors"]["contract_number"] == ["保証契約番号は10桁の数字で入力してください。"]
    assert "12文字" in data["errors"]["auth_key"][0]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("not json", "application/json"),
        ({"contract_number": "1070000473"}, "application/json"),
        ("x=1", "text/plain"),
    ],
)
def test_a_body_that_is_not_the_documented_json_is_400_in_the_same_shape(client, body, content_type):
    response = client.post("/api/v1/verifications", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_while_a_limit_holds_even_the_right_key_is_429_with_retry_after(orderer_client, advance, settings):
    settings.VERIFICATION_FAILURES_PER_NUMBER = 3
    for _ in range(3):
        assert api_verify(orderer_client, advance.number, OTHER_KEY).status_code == 404
    response = api_verify(orderer_client, advance.number, KEY)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert response.json()["code"] == "throttled"


def test_without_redis_the_api_fails_closed_with_503(orderer_client, advance, settings):
    settings.VERIFICATION_REDIS_URL = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    response = api_verify(orderer_client, advance.number, KEY)
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert "Retry-After" in response
