import datetime as dt

import pytest

from guarantees.formatting import slash_date, to_wareki, yen


@pytest.mark.parametrize(
    ("day", "printed"),
    [
        (dt.date(2022, 1, 20), "令和 4年 1月20日"),
        (dt.date(2023, 3, 15), "令和 5年 3月15日"),
        (dt.date(2019, 5, 1), "令和元年 5月 1日"),
        (dt.date(2019, 4, 30), "平成31年 4月30日"),
        (dt.date(2026, 11, 23), "令和 8年11月23日"),
    ],
)
def test_dates_print_in_wareki_as_on_the_certificate(day, printed):
    assert to_wareki(day) == printed


def test_amounts_print_with_thousands_separators_and_issue_dates_with_slashes():
    assert yen(2_172_720_000) == "2,172,720,000"
    assert slash_date(dt.date(2022, 1, 28)) == "2022/01/28"


# --- Times a person reads are Japan time ------------------------------------------------------------

#: 15:04 UTC on 2 December is already 00:04 on 3 December in Japan: a day apart.
LATE_UTC = dt.datetime(2026, 12, 2, 15, 4, 5, tzinfo=dt.UTC)


def test_times_print_on_the_japanese_clock_and_calendar_whatever_zone_is_active():
    from django.utils import timezone

    from guarantees.formatting import japan_today, slash_time, wareki_time

    with timezone.override("UTC"):
        assert slash_time(LATE_UTC) == "2026/12/03 00:04"
        assert slash_time(LATE_UTC, seconds=True) == "2026/12/03 00:04:05"
        assert wareki_time(LATE_UTC) == "令和 8年12月 3日 00:04"
        assert wareki_time(LATE_UTC, seconds=True) == "令和 8年12月 3日 00:04:05"
    assert slash_time(None) == wareki_time(None) == ""
    assert japan_today() == timezone.localdate(timezone=dt.timezone(dt.timedelta(hours=9)))


def test_the_titles_of_history_rows_read_japan_time():
    from applications.models import ApplicationTransition
    from guarantees.audit_actions import GUARANTEE_REGISTERED
    from guarantees.models import AuditEvent
    from notifications.models import NoticeSchedule
    from verification.models import VerificationAttempt

    # given rows made at 15:04 UTC, 00:04 the next day in Japan
    transition = ApplicationTransition(event=ApplicationTransition.Event.APPROVED, created_at=LATE_UTC)
    audit = AuditEvent(action=GUARANTEE_REGISTERED, created_at=LATE_UTC)
    attempt = VerificationAttempt(
        outcome=VerificationAttempt.Outcome.SUCCESS, contract_number="1070000473", created_at=LATE_UTC
    )
    # then the admin titles them with the Japanese date and time, as the rows beside them
    assert str(transition) == "承認 2026/12/03 00:04"
    assert str(audit) == "保証契約の登録 2026/12/03 00:04"
    assert str(attempt).endswith("1070000473 2026/12/03 00:04")
    assert str(NoticeSchedule(last_run_at=LATE_UTC)) == "2026/12/03 00:04"
