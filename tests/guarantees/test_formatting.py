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
