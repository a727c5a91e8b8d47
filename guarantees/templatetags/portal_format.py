"""Template filters for printed values: ``amount|yen``, ``day|wareki``, ``day|slashdate``."""

import datetime as dt

from django import template

from guarantees import formatting

register = template.Library()


@register.filter
def yen(amount: int | None) -> str:
    return formatting.yen(amount)


@register.filter
def wareki(day: dt.date | None) -> str:
    return "" if day is None else formatting.to_wareki(day)


@register.filter
def slashdate(day: dt.date | None) -> str:
    return formatting.slash_date(day)
