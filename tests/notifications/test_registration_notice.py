"""The 16:00 registration notice: each version announced exactly once, one mail per contractor."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.services import GuaranteeChanges, guarantee_change
from config.celery import app as celery_app
from notifications.models import NoticeRun, OutboxMessage, RegistrationNoticeItem
from notifications.services import registration_notice_run
from tests.factories import ContractorFactory, issue_guarantee

from .helpers import live_key, send_all

TOKYO = ZoneInfo("Asia/Tokyo")
pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, minute, second, tzinfo=TOKYO)


def announced_numbers() -> list[str]:
    return sorted(RegistrationNoticeItem.objects.values_list("certificate__contract_number", flat=True))


def test_the_notice_lists_new_and_changed_versions_for_each_contractor_without_the_key(
    smtp_mail, contractor_a, contractor_b, orderer
):
    # given contractor A with two new guarantees, one of them changed the same day, and B with one
    contractor_a.notice_emails = "keiri@alpha.example.jp\nKEIRI@alpha.example.jp\nboss@alpha.example.jp"
    contractor_a.save()
    with time_machine.travel(at(1, 10), tick=False):
        first = issue_guarantee(contractor=contractor_a, orderer=orderer, work_name="市道1号線 舗装工事")
        second = issue_guarantee(
            contractor=contractor_a, orderer=orderer, kind="contract", guarantee_amount=10_000_000
        )
        issue_guarantee(contractor=contractor_b, orderer=orderer)
        guarantee_change(
            guarantee=first, changes=GuaranteeChanges(guarantee_amount=30_000_000), changed_by=None
        )

    # when the 16:00 job runs and the queue is sent
    with time_machine.travel(at(1, 16), tick=False):
        run = registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
    send_all()

    # then A's two addresses (the duplicate ignored) each get one mail listing A's three versions
    assert (run.certificates, run.notices) == (4, 2)
    to_a = [item for item in smtp_mail.handler.received if item.rcpt_tos[0].endswith("alpha.example.jp")]
    assert sorted(item.rcpt_tos[0] for item in to_a) == ["boss@alpha.example.jp", "keiri@alpha.example.jp"]
    text, html = to_a[0].text, to_a[0].html
    assert "電子証書・認証キーの登録お知らせ（2026/07/01）" in to_a[0].subject
    assert text.count(first.number) == 2
    assert second.number in text
    assert "新規" in text
    assert "変更" in text
    assert "市道1号線 舗装工事" in text
    assert orderer.title in text
    assert "契約" in text
    assert settings.PORTAL_BASE_URL in text
    assert "「表示」" in text
    assert first.number in html
    # and the keys themselves are in neither part
    for guarantee in (first, second):
        assert live_key(guarantee) not in text
        assert live_key(guarantee) not in html
    # and B's mail lists only B's guarantee
    to_b = [item for item in smtp_mail.handler.received if item not in to_a]
    assert len(to_b) == 1
    assert first.number not in to_b[0].text


def test_versions_registered_at_155959_and_160000_are_each_announced_exactly_once(
    smtp_mail, contractor_a, orderer
):
    # given one version registered a second before 16:00 and one at 16:00:00
    with time_machine.travel(at(1, 15, 59, 59), tick=False):
        before = issue_guarantee(contractor=contractor_a, orderer=orderer)
    with time_machine.travel(at(1, 16, 0, 0), tick=False):
        on_the_hour = issue_guarantee(contractor=contractor_a, orderer=orderer)

        # when the 16:00 job runs at 16:00:00 (twice, as a retry would)
        registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
        registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
    # then today's notice has the 15:59:59 version only
    assert announced_numbers() == [before.number]

    # and tomorrow's run announces the 16:00:00 one, and nothing twice
    with time_machine.travel(at(2, 16, 0, 1), tick=False):
        registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
    send_all()
    assert announced_numbers() == sorted([before.number, on_the_hour.number])
    texts = [item.text for item in smtp_mail.handler.received]
    assert len(texts) == 2
    assert [before.number in t for t in texts] == [True, False]
    assert [on_the_hour.number in t for t in texts] == [False, True]


def test_a_skipped_day_is_caught_up_by_the_next_run(smtp_mail, contractor_a, orderer):
    # given versions registered on two days whose 16:00 runs never happened (the worker was down)
    with time_machine.travel(at(1, 10), tick=False):
        monday = issue_guarantee(contractor=contractor_a, orderer=orderer)
    with time_machine.travel(at(2, 10), tick=False):
        tuesday = issue_guarantee(contractor=contractor_a, orderer=orderer)

    # when the next run happens on the third day
    with time_machine.travel(at(3, 16, 0, 0), tick=False):
        run = registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
    send_all()

    # then one mail announces both
    assert run.certificates == 2
    assert len(smtp_mail.handler.received) == 1
    assert monday.number in smtp_mail.handler.received[0].text
    assert tuesday.number in smtp_mail.handler.received[0].text


def test_paper_certificates_are_not_announced(contractor_a, orderer):
    # given a paper guarantee (the orderer had not adopted e-guarantees)
    orderer.e_guarantee_adopted_on = None
    orderer.save()
    with time_machine.travel(at(1, 10), tick=False):
        issue_guarantee(contractor=contractor_a, orderer=orderer)

    # when the job runs
    with time_machine.travel(at(1, 16), tick=False):
        run = registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)

    # then there is nothing to announce
    assert run.certificates == 0
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_announce_each_version_exactly_once(orderer):
    # given twelve versions of six contractors
    contractors = [ContractorFactory() for _ in range(6)]
    with time_machine.travel(at(1, 10), tick=False):
        for contractor in contractors:
            issue_guarantee(contractor=contractor, orderer=orderer)
            issue_guarantee(contractor=contractor, orderer=orderer)

    # when two runs start at the same moment, each on its own database connection
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    with time_machine.travel(at(1, 16), tick=False):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    celery_app.conf.task_always_eager = eager

    # then every version is announced once, in one mail per contractor
    assert errors == []
    assert RegistrationNoticeItem.objects.count() == 12
    assert sorted(NoticeRun.objects.values_list("certificates", flat=True)) == [0, 12]
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REGISTRATION_NOTICE).count() == 6


def test_the_daily_job_runs_the_same_number_of_queries_for_more_contractors(orderer):
    def queries_for(count: int, day: int) -> int:
        with time_machine.travel(at(day, 10), tick=False):
            for _ in range(count):
                contractor = ContractorFactory()
                issue_guarantee(contractor=contractor, orderer=orderer)
                issue_guarantee(contractor=contractor, orderer=orderer)
        with time_machine.travel(at(day, 16), tick=False), CaptureQueriesContext(connection) as captured:
            registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
        return len(captured)

    # given the job's queries for two contractors (after a first run, which creates its schedule row)
    registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
    small = queries_for(2, 1)

    # when it runs again for ten contractors
    large = queries_for(10, 2)

    # then it needed no more queries
    assert small == large


def test_a_run_over_many_contractors_starts_the_senders_once(
    orderer, monkeypatch, settings, django_capture_on_commit_callbacks
):
    # given seven contractors with a new version each, read three contractors at a time
    monkeypatch.setattr("notifications.services.NOTICE_CHUNK", 3)
    settings.NOTIFICATIONS_BATCH_SIZE = 2
    settings.NOTIFICATIONS_SENDERS = 2
    with time_machine.travel(at(1, 10), tick=False):
        for _ in range(7):
            issue_guarantee(contractor=ContractorFactory(), orderer=orderer)
    # when the 16:00 job runs
    with time_machine.travel(at(1, 16), tick=False), django_capture_on_commit_callbacks() as callbacks:
        run = registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)
    # then its seven mails are queued and two senders are started after the commit, not two a chunk
    assert (run.notices, run.messages) == (7, 7)
    assert len(callbacks) == 2


def test_the_command_sends_the_notice_of_a_given_date(smtp_mail, contractor_a, orderer, capsys):
    # given a version registered on the 1st
    with time_machine.travel(at(1, 10), tick=False):
        guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer)

    # when the command runs on the 3rd for the 1st
    with time_machine.travel(at(3, 9), tick=False):
        call_command("send_registration_notices", "--date", "2026-07-01")
    send_all()

    # then that day's notice is sent
    assert "1 certificate versions" in capsys.readouterr().out
    assert announced_numbers() == [guarantee.number]
    assert "（2026/07/01）" in smtp_mail.handler.received[0].subject


def test_the_command_refuses_a_malformed_or_future_date():
    with pytest.raises(CommandError):
        call_command("send_registration_notices", "--date", "2026/07/01")
    with pytest.raises(CommandError):
        call_command("send_registration_notices", "--date", "2999-01-01")


def test_staff_send_one_contractors_notice_at_once_for_those_in_a_hurry(
    smtp_mail, contractor_a, contractor_b, orderer, head_office, client
):
    # given versions of A and B registered this morning
    with time_machine.travel(at(1, 10), tick=False):
        mine = issue_guarantee(contractor=contractor_a, orderer=orderer)
        issue_guarantee(contractor=contractor_b, orderer=orderer)

    # when staff choose お急ぎ for A from the contractor admin at 11:00
    client.force_login(head_office)
    chosen = {"action": "send_registration_notice_now", "_selected_action": [contractor_a.pk]}
    with time_machine.travel(at(1, 11), tick=False):
        asked = client.post(reverse("admin:guarantees_contractor_changelist"), chosen)
    # then a page first says what will be sent, and nothing is sent yet
    send_all()
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "この操作で次のことを行います" in page
    assert "お知らせする証書は合計 1 件です" in page
    assert contractor_a.display_name in page
    assert announced_numbers() == []
    assert smtp_mail.handler.received == []

    # when staff confirm there
    with time_machine.travel(at(1, 11), tick=False):
        response = client.post(
            reverse("admin:guarantees_contractor_changelist"), {**chosen, "confirmed": "yes"}
        )
    send_all()

    # then A got its notice now, and B's waits for 16:00
    assert response.status_code == 302
    assert announced_numbers() == [mine.number]
    assert [item.rcpt_tos for item in smtp_mail.handler.received] == [contractor_a.notice_email_list]
    with time_machine.travel(at(1, 16), tick=False):
        assert registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE).certificates == 1


def test_beat_runs_the_notice_at_1600_in_tokyo():
    entry = celery_app.conf.beat_schedule["notifications-registration-notice"]
    schedule = entry["schedule"]
    assert entry["task"] == "notifications.tasks.registration_notice_task"
    assert schedule.hour == {16}
    assert schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"
    from notifications.tasks import registration_notice_task

    assert registration_notice_task.name == entry["task"]
