"""The demo data: the brochure's guarantees carry the brochure's dates, and its own orderer."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from authkeys.models import AuthKey
from certificates.models import Certificate
from demo import brochure
from guarantees.models import AuditEvent, Guarantee, Orderer
from notifications.models import NoticeRun, OutboxMessage, RegistrationNoticeItem
from notifications.services import registration_notice_run

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
BROCHURE_DAY_10AM = dt.datetime(2022, 1, 28, 10, 0, tzinfo=TOKYO)


def test_the_brochures_guarantees_carry_the_brochures_registration_times(time_machine):
    # given the demo loaded today
    time_machine.move_to(dt.datetime(2026, 12, 3, 11, 0, tzinfo=TOKYO), tick=False)
    brochure.seed_brochure()

    # then its records were registered and issued on 2022-01-28, not today
    numbers = [brochure.ADVANCE_NUMBER, brochure.CONTRACT_NUMBER]
    guarantees = Guarantee.objects.filter(number__in=numbers)
    assert {g.created_at for g in guarantees} == {BROCHURE_DAY_10AM}
    certificates = Certificate.objects.filter(contract_number__in=numbers)
    assert {c.registered_at for c in certificates} == {BROCHURE_DAY_10AM}
    assert {c.issued_on for c in certificates} == {dt.date(2022, 1, 28)}
    assert {k.created_at for k in AuthKey.objects.filter(guarantee__in=guarantees)} == {BROCHURE_DAY_10AM}
    assert {e.created_at for e in AuditEvent.objects.filter(guarantee__in=guarantees)} == {BROCHURE_DAY_10AM}
    # and they were announced in that day's 16:00 notice, which sent no mail today
    items = RegistrationNoticeItem.objects.filter(certificate__in=certificates).select_related("notice__run")
    assert {item.notice.notice_date for item in items} == {dt.date(2022, 1, 28)}
    assert len(items) == 2
    assert not OutboxMessage.objects.exists()


def test_todays_16_oclock_notice_does_not_announce_the_brochures_guarantees_as_new(time_machine):
    # given the demo loaded this morning
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 30, tzinfo=TOKYO), tick=False)
    brochure.seed_brochure()

    # when the 16:00 notice runs
    time_machine.move_to(dt.datetime(2026, 12, 3, 16, 0, tzinfo=TOKYO), tick=False)
    run = registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)

    # then it has nothing to announce: the brochure's versions were announced in 2022
    assert (run.certificates, run.notices, run.messages) == (0, 0, 0)
    assert not OutboxMessage.objects.exists()


def test_loading_the_demo_twice_adds_nothing(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 30, tzinfo=TOKYO), tick=False)
    brochure.seed_brochure()
    brochure.seed_brochure()
    assert NoticeRun.objects.count() == 1
    assert RegistrationNoticeItem.objects.count() == 2
    assert Orderer.objects.filter(title=brochure.NAKATANE_TITLE).count() == 1


def test_the_brochures_own_orderer_is_in_the_demo_with_its_departments():
    brochure.seed_brochure()
    nakatane = Orderer.objects.get(title=brochure.NAKATANE_TITLE)
    assert nakatane.organisation == "中種子町"
    assert nakatane.kind == Orderer.Kind.MUNICIPALITY
    assert nakatane.e_guarantee_adopted_on == dt.date(2024, 2, 1)  # 令和6年2月
    departments = {d.name: d.email for d in nakatane.departments.all()}
    assert "建設課" in departments
    assert len(departments) == len(brochure.NAKATANE_DEPARTMENTS) >= 3
    assert all(email.endswith(".lg.jp") for email in departments.values())
