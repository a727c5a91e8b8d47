"""How the portal prints yen amounts and dates, shared by admin, pages and PDFs."""

import datetime as dt

from .wareki import to_wareki


def yen(amount: int | None) -> str:
    """``2172720000`` → ``2,172,720,000`` (the brochure prints amounts without a currency sign)."""
    return "" if amount is None else f"{amount:,}"


def slash_date(day: dt.date | None) -> str:
    """``2022/01/28``: the 証書発行日 column of 保証工事一覧."""
    return "" if day is None else f"{day:%Y/%m/%d}"


__all__ = ["slash_date", "to_wareki", "yen"]
