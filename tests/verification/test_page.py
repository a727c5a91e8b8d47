"""The /verify/ page: forgiving input, one failure message, the result with its status banner."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from certificates.services import GuaranteeChanges, guarantee_change
from certificates.tokens import verified_access_token
from guarantees.services import guarantee_cancel, guarantee_revoke
from tests.verification.helpers import KEY, OTHER_KEY, UNKNOWN_NUMBER, page_verify, without_csrf
from verification import views

pytestmark = pytest.mark.django_db


def banner_of(response) -> str:
    match = re.search(r'class="status-label">.*?</span>\s*(.*?)</p>', response.content.decode(), re.S)
    assert match, "the result has a status banner"
    return match.group(1).strip()


def test_the_form_asks_for_the_number_and_the_key_without_login(client):
    response = client.get("/verify/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "保証契約番号" in body
    assert "認証キー" in body
    assert 'name="contract_number"' in body
    assert 'name="auth_key"' in body
    assert "no-store" in response["Cache-Control"]
    assert 'href="/static/css/verification.css"' in body


def test_the_right_number_and_key_show_the_certificate_with_a_valid_banner(orderer_client, advance):
    # when the orderer types the number and key
    response = page_verify(orderer_client, advance.number, KEY)
    # then they are sent to the result, which names neither the key nor the number in its URL
    assert response.status_code == 303
    assert KEY not in response["Location"]
    assert advance.number not in response["Location"]
    page = orderer_client.get(response["Location"])
    assert page.status_code == 200
    assert banner_of(page) == "有効"
    body = page.content.decode()
    assert "保証証書（前払金保証）" in body
    assert advance.number in body
    assert "40,000,000" in body  # the certificate's 保証金額
    assert "令和 9年 3月31日" in body  # 保証期間, 和暦
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    assert "data-print" in body
    assert "/static/js/verification.js" in body
    assert 'id="verification-documents"' in body
    assert KEY not in body


def test_full_width_lower_case_and_hyphenated_input_is_accepted(orderer_client, advance):
    typed_number = "".join(chr(ord(c) + 0xFEE0) for c in advance.number[:3]) + "-" + advance.number[3:]
    response = page_verify(orderer_client, typed_number, " k5vl4-＋5qg_kj ")
    assert response.status_code == 303


def test_malformed_input_gets_a_message_next_to_each_field_and_the_key_is_not_written_back(orderer_client):
    response = page_verify(orderer_client, "12345", "K5VL4+5QG_K0")
    assert response.status_code == 400
    body = response.content.decode()
    assert "保証契約番号は10桁の数字で入力してください。" in body
    assert "0・O・1・I は使われません" in body
    assert "K5VL4+5QG_K0" not in body
    assert 'value="12345"' in body  # the number is kept, so only the key needs retyping


def test_an_unknown_number_and_a_wrong_key_get_the_same_status_and_body(orderer_client, advance):
    # when one attempt names a number that does not exist and another a wrong key for a real one,
    # each with the same typed values apart from what is hidden
    unknown = page_verify(orderer_client, UNKNOWN_NUMBER, OTHER_KEY)
    wrong_key = page_verify(orderer_client, advance.number, OTHER_KEY)
    # then both get the one message, and the same status and body (apart from the number typed)
    assert unknown.status_code == wrong_key.status_code == 404
    assert "番号または認証キーが正しくありません" in unknown.content.decode()
    assert without_csrf(unknown.content).replace(UNKNOWN_NUMBER, "N") == without_csrf(
        wrong_key.content
    ).replace(advance.number, "N")
    assert dict(unknown.headers).keys() == dict(wrong_key.headers).keys()


def test_the_key_is_a_sensitive_post_parameter_hidden_from_error_reports(advance):
    # given the page has handled a POST
    request = RequestFactory().post("/verify/", {"contract_number": advance.number, "auth_key": KEY})
    request.META["REMOTE_ADDR"] = "192.0.2.10"
    views.verify(request)
    # then an error report of that request would mask the key
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleansed["auth_key"] != KEY
    assert set(cleansed["auth_key"]) == {"*"}
    assert cleansed["contract_number"] == advance.number


def test_the_key_never_reaches_a_log_line(orderer_client, advance, caplog):
    caplog.set_level("DEBUG")
    page_verify(orderer_client, advance.number, KEY)
    page_verify(orderer_client, advance.number, "K5VL4+5QG_KK")
    page_verify(orderer_client, advance.number, "K5VL4+5QG_K0")
    assert caplog.records  # the failures were logged (django.request), the key in none of them
    assert all("K5VL4" not in record.getMessage() for record in caplog.records)


def test_an_expired_or_forged_token_asks_to_verify_again(client, advance):
    with time_machine.travel("2026-11-24 10:00 +0900", tick=False):
        token = verified_access_token(certificate_id=advance.certificates.get().pk)
    with time_machine.travel("2026-11-24 10:31 +0900", tick=False):
        expired = client.get(reverse("verification:result", args=[token]))
        forged = client.get(reverse("verification:result", args=[token[:-3] + "abc"]))
    assert expired.status_code == forged.status_code == 410
    assert "もう一度入力してください" in expired.content.decode()


def test_a_changed_guarantee_shows_the_newest_version_and_lists_every_version(orderer_client, advance):
    # given the guarantee amount was raised, which issues a (変更) version 2
    guarantee_change(
        guarantee=advance,
        changes=GuaranteeChanges(guarantee_amount=38_000_000),
        changed_by=None,
        reason="減額",
    )
    # when the orderer verifies
    page = orderer_client.get(page_verify(orderer_client, advance.number, KEY)["Location"])
    # then the banner says 変更あり with the change, the newest version is shown, both are listed
    assert banner_of(page) == "変更あり"
    body = page.content.decode()
    assert "38,000,000" in body
    assert "40,000,000" not in body
    assert "(変更)" in body
    assert "第1版" in body
    assert "第2版" in body
    assert "減額" in body
    # and the first version can be looked at, marked as not the newest
    old = orderer_client.get(page.request["PATH_INFO"] + "?version=1")
    assert "40,000,000" in old.content.decode()
    assert "過去の版" in old.content.decode()


def test_a_guarantee_period_that_followed_the_construction_period_is_noted(orderer_client, advance):
    # given the construction period was extended, which moves the guarantee period without a version
    guarantee_change(
        guarantee=advance,
        changes=GuaranteeChanges(construction_end_date=dt.date(2027, 6, 30)),
        changed_by=None,
    )
    page = orderer_client.get(page_verify(orderer_client, advance.number, KEY)["Location"])
    assert banner_of(page) == "有効"
    assert (
        "令和 9年 6月30日まで自動的に延長されています（証書の記載は令和 9年 3月31日）"
        in page.content.decode()
    )


@pytest.mark.parametrize(
    ("end", "label", "detail"),
    [
        (guarantee_cancel, "解約", "工事の中止"),
        (guarantee_revoke, "取消", "登録の誤り"),
    ],
)
def test_a_cancelled_or_revoked_guarantee_says_so_with_its_date_and_reason(
    orderer_client, advance, end, label, detail
):
    kwargs = {"cancelled_by" if end is guarantee_cancel else "revoked_by": None}
    end(guarantee=advance, reason=detail, **kwargs)
    page = orderer_client.get(page_verify(orderer_client, advance.number, KEY)["Location"])
    assert banner_of(page) == label
    body = page.content.decode()
    assert detail in body
    assert "令和 8年11月24日" in body


def test_a_guarantee_past_its_period_shows_that_the_period_has_ended(orderer_client, advance):
    with time_machine.travel("2027-04-01 10:00 +0900", tick=False):
        page = orderer_client.get(page_verify(orderer_client, advance.number, KEY)["Location"])
    assert banner_of(page) == "保証期間満了"
    assert "令和 9年 3月31日" in page.content.decode()


def test_the_result_page_costs_the_same_queries_however_many_versions_and_views(
    orderer_client, advance, django_assert_num_queries
):
    location = page_verify(orderer_client, advance.number, KEY)["Location"]
    with django_assert_num_queries(2):
        orderer_client.get(location)
    for amount in (39_000_000, 38_000_000, 37_000_000):
        guarantee_change(
            guarantee=advance, changes=GuaranteeChanges(guarantee_amount=amount), changed_by=None
        )
    for _ in range(3):
        page_verify(orderer_client, advance.number, KEY)
    with django_assert_num_queries(2):
        orderer_client.get(location)
