"""Japanese era dates (和暦) as printed on certificates: ``令和 4年 1月20日``.

Year, month and day are padded to two places with a space, as the brochure prints them; the first
year of an era is 元年.
"""

import datetime as dt

_ERAS: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
)


def to_wareki(day: dt.date) -> str:
    for start, name in _ERAS:
        if day >= start:
            year = day.year - start.year + 1
            year_text = "元" if year == 1 else f"{year:>2}"
            return f"{name}{year_text}年{day.month:>2}月{day.day:>2}日"
    # Before 昭和: typed dates cannot be (portal.fields), but a row stored earlier must still
    # print — in the western calendar rather than failing the whole document.
    return f"{day.year}年{day.month:>2}月{day.day:>2}日"
