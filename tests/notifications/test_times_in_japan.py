"""Times a person reads around 発注者へ提出 are Japan time, also when UTC is still the day before."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, issue_guarantee

pytestmark = pytest.mark.django_db

#: 23:30 UTC on 3 December: 08:30 on 4 December in Japan.
SUBMITTED = dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC)


def test_the_submission_message_and_the_record_below_it_say_the_same_japanese_time(
    client, user_a, contractor_a, orderer, time_machine
):
    # given contractor A's guarantee with its orderer's department, on a morning in Japan
    time_machine.move_to(SUBMITTED, tick=False)
    department = DepartmentFactory(orderer=orderer, name="建設課", email="kensetsu@city.example.lg.jp")
    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer, orderer_department=department)
    client.force_login(user_a)

    # when the contractor presses 発注者へ提出
    response = client.post(reverse("notifications:submit", args=[guarantee.pk]), follow=True)

    # then the success message and the submission record both read 08:30 on 4 December
    html = response.content.decode()
    assert "認証キーを提出しました（2026/12/04 08:30）" in html
    assert "2026/12/03" not in html
    local = SUBMITTED.astimezone(ZoneInfo("Asia/Tokyo"))
    assert re.search(rf"<td>{local:%Y/%m/%d %H:%M}</td>\s*<td>[^<]*建設課", html)
