"""How the portal prints yen amounts, dates and times, shared by admin, pages, mails and PDFs.

Every time a person reads is Japan time (Asia/Tokyo), whatever time zone is active; dates on
documents are 和暦.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from .wareki import to_wareki

#: The portal's users are in Japan: every date decided and every time printed is Japan time.
JAPAN = ZoneInfo("Asia/Tokyo")


def japan_time(moment: dt.datetime) -> dt.datetime:
    """``moment`` (an aware instant) on the clock in Japan."""
    return moment.astimezone(JAPAN)


def japan_today() -> dt.date:
    """Today's date in Japan: the day that decides 有効 or 保証期間満了 and the 16:00 notice."""
    return japan_time(timezone.now()).date()


def yen(amount: int | None) -> str:
    """``2172720000`` → ``2,172,720,000`` (the brochure prints amounts without a currency sign)."""
    return "" if amount is None else f"{amount:,}"


def slash_date(day: dt.date | None) -> str:
    """``2022/01/28``: the 証書発行日 column of 保証工事一覧."""
    return "" if day is None else f"{day:%Y/%m/%d}"


def slash_time(moment: dt.datetime | None, *, seconds: bool = False) -> str:
    """``2026/12/03 18:04`` in Japan time: messages, history rows, admin titles and mails."""
    if moment is None:
        return ""
    local = japan_time(moment)
    return f"{local:%Y/%m/%d %H:%M:%S}" if seconds else f"{local:%Y/%m/%d %H:%M}"


def wareki_time(moment: dt.datetime | None, *, seconds: bool = False) -> str:
    """``令和 8年12月 3日 18:04`` in Japan time: the date line of the portal's documents."""
    if moment is None:
        return ""
    local = japan_time(moment)
    return (
        f"{to_wareki(local.date())} {local:%H:%M:%S}"
        if seconds
        else f"{to_wareki(local.date())} {local:%H:%M}"
    )


__all__ = [
    "JAPAN",
    "japan_time",
    "japan_today",
    "slash_date",
    "slash_time",
    "to_wareki",
    "wareki_time",
    "yen",
]
