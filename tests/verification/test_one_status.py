"""One status for every surface: what the orderer, the contractor and the branch clerk read of the
brochure's expired 2022 guarantees is decided once (``guarantees.status``), in Japan's calendar."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from certificates import pdf
from certificates.models import Certificate
from demo.brochure import ADVANCE_KEY, ADVANCE_NUMBER, STAFF_LOGIN, STAFF_PASSWORD, seed_brochure
from guarantees.models import Guarantee
from guarantees.status import StatusCode, filter_by_status, guarantee_status
from tests.factories import issue_guarantee
from tests.pdf.conftest import pdf_text
from tests.verification.helpers import api_verify, page_verify

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
#: A day long after the brochure's guarantee period (2023-03-15), at 18:04 in Japan (09:04 UTC).
LATER = dt.datetime(2026, 12, 3, 18, 4, tzinfo=TOKYO)


@pytest.fixture
def brochure(time_machine):
    time_machine.move_to(LATER, tick=False)
    return seed_brochure()


def _banner(page) -> str:
    match = re.search(r'class="status-label">.*?</span>\s*(.*?)</p>', page.content.decode(), re.S)
    assert match
    return match.group(1).strip()


def test_the_status_changes_at_midnight_in_japan_not_at_midnight_utc(db, time_machine):
    # given a guarantee whose period ends on 2027-03-31
    time_machine.move_to(dt.datetime(2027, 3, 1, 10, tzinfo=TOKYO), tick=False)
    guarantee = issue_guarantee(
        concluded_on=dt.date(2026, 6, 1),
        guarantee_period_end=dt.date(2027, 3, 31),
        construction_end_date=dt.date(2027, 3, 31),
    )
    # when it is 23:59:59 on its last day in Japan (already 14:59:59 UTC, not yet the next UTC day)
    time_machine.move_to(dt.datetime(2027, 3, 31, 23, 59, 59, tzinfo=TOKYO), tick=False)
    # then it is in force, on every reading
    assert guarantee_status(guarantee).code == StatusCode.ACTIVE
    assert guarantee.display_status() == "有効"
    assert list(filter_by_status(Guarantee.objects.all(), StatusCode.ACTIVE)) == [guarantee]
    # and one second later (2027-03-31 15:00 UTC, the next day in Japan) its period has ended
    time_machine.move_to(dt.datetime(2027, 4, 1, 0, 0, 0, tzinfo=TOKYO), tick=False)
    status = guarantee_status(guarantee)
    assert (status.code, status.label, status.in_force) == (StatusCode.EXPIRED, "保証期間満了", False)
    assert list(Guarantee.objects.past()) == [guarantee]
    assert list(filter_by_status(Guarantee.objects.all(), StatusCode.EXPIRED)) == [guarantee]


def test_the_result_page_the_api_and_the_receipt_of_1070000473_say_the_period_has_ended(brochure):
    orderer = Client(REMOTE_ADDR="192.0.2.10")
    # when the orderer verifies the brochure's advance guarantee long after its period
    page = orderer.get(page_verify(orderer, ADVANCE_NUMBER, ADVANCE_KEY)["Location"])
    data = api_verify(orderer, ADVANCE_NUMBER, ADVANCE_KEY).json()
    certificate = Certificate.objects.get(contract_number=ADVANCE_NUMBER)
    receipt = pdf_text(pdf.verification_receipt_pdf(certificate=certificate, verified_at=LATER))
    # then the page, the API and the receipt (the orderer's official record) agree
    assert _banner(page) == "保証期間満了"
    assert (data["status"], data["status_label"]) == ("expired", "保証期間満了")
    assert "状態 保証期間満了 ・ 最新の版" in receipt
    assert "有効" not in receipt


def test_the_certificate_key_and_list_screens_say_the_period_has_ended(brochure):
    contractor = Client()
    contractor.force_login(brochure.contractor.users.get())
    certificate_screen = contractor.get(f"/certificates/{ADVANCE_NUMBER}/").content.decode()
    key_screen = contractor.post(f"/keys/{ADVANCE_NUMBER}/").content.decode()
    listing = contractor.get("/").content.decode()
    assert re.search(r"状態\s*:\s*<strong>保証期間満了</strong>", certificate_screen)
    assert re.search(r"状態\s*:\s*<strong>保証期間満了</strong>", key_screen)
    assert '<span class="status-mark">保証期間満了</span>' in listing


def test_the_admin_list_and_detail_say_the_period_has_ended_and_filter_by_it(brochure):
    clerk = Client()
    clerk.login(username=STAFF_LOGIN, password=STAFF_PASSWORD)
    changelist = reverse("admin:guarantees_guarantee_changelist")
    # when the clerk opens the list and the advance guarantee
    listing = clerk.get(changelist).content.decode()
    advance = Guarantee.objects.get(number=ADVANCE_NUMBER)
    detail = clerk.get(reverse("admin:guarantees_guarantee_change", args=[advance.pk])).content.decode()
    # then both rows and the detail read 保証期間満了, none 有効
    cells = re.findall(r'<td class="field-status_display">(.*?)</td>', listing)
    assert cells == ["保証期間満了", "保証期間満了"]
    assert re.search(r'<div class="readonly">保証期間満了</div>', detail)
    assert '<div class="readonly">有効</div>' not in detail
    # and the 状態 filter finds them under 保証期間満了, not under 有効
    expired = clerk.get(changelist, {"state": "expired"}).content.decode()
    active = clerk.get(changelist, {"state": "active"}).content.decode()
    assert ADVANCE_NUMBER in expired
    assert ADVANCE_NUMBER not in active
