"""Every attempt is recorded (never the key); contractors see 閲覧履歴; staff get a spike alert."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test import Client

from tests.factories import issue_guarantee
from tests.verification.helpers import KEY, OTHER_KEY, UNKNOWN_NUMBER, api_verify, other_client, page_verify
from verification import selectors
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db


def test_every_attempt_is_recorded_with_its_outcome_and_never_the_key_or_the_address(advance, settings):
    settings.VERIFICATION_FAILURES_PER_NUMBER = 2
    client = Client(REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT="Mozilla/5.0 (LGWAN)")
    # when one attempt of each kind is made
    page_verify(client, advance.number, KEY)  # success
    api_verify(client, advance.number, OTHER_KEY)  # failure
    api_verify(client, "12-34", "k5vl4+5qg_kj")  # malformed
    api_verify(client, advance.number, OTHER_KEY)  # failure: the limit is now reached
    api_verify(client, advance.number, KEY)  # throttled
    # then each is a row, in order, naming the number only when it was well-formed
    rows = list(VerificationAttempt.objects.order_by("id"))
    assert [(r.outcome, r.channel, r.contract_number) for r in rows] == [
        ("success", "page", advance.number),
        ("failure", "api", advance.number),
        ("malformed", "api", ""),
        ("failure", "api", advance.number),
        ("throttled", "api", advance.number),
    ]
    assert rows[0].guarantee == advance
    assert rows[0].certificate == advance.certificates.get()
    assert all(r.guarantee_id is None for r in rows[1:])
    assert {r.user_agent for r in rows} == {"Mozilla/5.0 (LGWAN)"}
    assert len({r.client_hash for r in rows}) == 1
    assert len(rows[0].client_hash) == 64
    # and neither the key nor the client's address is anywhere in the table
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM verification_verificationattempt t")
        dump = " ".join(row[0] for row in cursor.fetchall())
    assert "K5VL4" not in dump.upper()
    assert "192.0.2.44" not in dump


def test_the_contractor_sees_when_orderers_viewed_the_guarantee(advance, user_a):
    # given two successful verifications and one failure
    with time_machine.travel("2026-11-24 09:15 +0900", tick=False):
        page_verify(other_client(1), advance.number, KEY)
    with time_machine.travel("2026-11-25 14:40 +0900", tick=False):
        api_verify(other_client(2), advance.number, KEY)
        api_verify(other_client(3), advance.number, OTHER_KEY)
    # when the contractor opens 閲覧履歴
    client = Client()
    client.force_login(user_a)
    response = client.get(f"/verify/history/{advance.number}/")
    # then both views are listed, newest first, in Japan time, and the failure is not
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("2026/11/25 14:40") < body.index("2026/11/24 09:15")
    assert body.count("第1版") == 2
    assert "画面" in body
    assert "API" in body
    assert "no-store" in response["Cache-Control"]


def test_the_certificate_screen_links_the_orderers_viewing_history(advance, user_a):
    client = Client()
    client.force_login(user_a)
    body = client.get(f"/certificates/{advance.number}/").content.decode()
    assert f'href="/verify/history/{advance.number}/"' in body
    assert "発注者の閲覧履歴" in body


def test_another_contractor_staff_and_strangers_get_404_and_anonymous_users_log_in(
    advance, user_b, stranger, head_office
):
    for user in (user_b, stranger, head_office):
        client = Client()
        client.force_login(user)
        assert client.get(f"/verify/history/{advance.number}/").status_code == 404
    assert Client().get(f"/verify/history/{advance.number}/").status_code == 302


def test_an_unknown_number_in_the_history_url_is_404(user_a):
    client = Client()
    client.force_login(user_a)
    assert client.get(f"/verify/history/{UNKNOWN_NUMBER}/").status_code == 404


def test_the_history_page_does_not_grow_in_queries_with_views(advance, user_a, django_assert_num_queries):
    client = Client()
    client.force_login(user_a)
    url = f"/verify/history/{advance.number}/"
    page_verify(other_client(1), advance.number, KEY)
    client.get(url)  # warm the session
    with django_assert_num_queries(5):
        client.get(url)
    for n in range(2, 12):
        page_verify(other_client(n), advance.number, KEY)
    with django_assert_num_queries(5):
        client.get(url)


def test_last_views_gives_each_guarantee_its_latest_view_in_one_query(
    advance, contractor_a, django_assert_num_queries
):
    other = issue_guarantee(contractor=contractor_a)
    with time_machine.travel("2026-11-24 09:00 +0900", tick=False):
        page_verify(other_client(1), advance.number, KEY)
    with time_machine.travel("2026-11-24 10:00 +0900", tick=False):
        page_verify(other_client(2), advance.number, KEY)
    with django_assert_num_queries(1):
        views = selectors.last_views(guarantee_ids=[advance.pk, other.pk])
    assert list(views) == [advance.pk]
    assert views[advance.pk][1] == 2
    assert views[advance.pk][0].hour == 1


def test_staff_see_attempts_with_filters_and_an_alert_when_failures_spike(advance, head_office, settings):
    settings.VERIFICATION_ALERT_FAILURES = 5
    staff = Client()
    staff.force_login(head_office)
    url = "/admin/verification/verificationattempt/"
    # given a few failures: no alert
    for n in range(4):
        api_verify(other_client(n), f"10799{n:05d}", OTHER_KEY)
    page_verify(other_client(9), advance.number, KEY)
    quiet = staff.get(url)
    assert quiet.status_code == 200
    assert "総当たりの可能性があります" not in quiet.content.decode()
    # when failures reach the threshold
    api_verify(other_client(5), UNKNOWN_NUMBER, OTHER_KEY)
    alert = staff.get(url).content.decode()
    # then the list says so, and the filters narrow it down
    assert "警告: 直近15分間に確認の失敗が5件（5件の保証契約番号）" in alert
    filtered = staff.get(url, {"outcome": "success"}).content.decode()
    assert advance.number in filtered
    assert UNKNOWN_NUMBER not in filtered


def test_attempts_cannot_be_added_changed_or_deleted_in_admin(advance, head_office):
    page_verify(other_client(1), advance.number, KEY)
    attempt = VerificationAttempt.objects.get()
    staff = Client()
    staff.force_login(head_office)
    assert staff.get("/admin/verification/verificationattempt/add/").status_code == 403
    assert staff.post(f"/admin/verification/verificationattempt/{attempt.pk}/delete/").status_code == 403
    assert VerificationAttempt.objects.filter(pk=attempt.pk).exists()


def test_a_user_agent_with_control_characters_is_recorded_without_them(advance):
    client = Client(REMOTE_ADDR="192.0.2.1", HTTP_USER_AGENT="evil\x00agent\x1b[31m" + "x" * 400)
    assert api_verify(client, advance.number, KEY).status_code == 200
    assert VerificationAttempt.objects.get().user_agent.startswith("evilagent[31mxxx")
