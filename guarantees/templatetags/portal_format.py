"""Template filters for printed values: ``amount|yen``, ``day|wareki``, ``day|slashdate``; and
``{% portal_url "name" %}``, a page's full address for documents printed on paper."""

import datetime as dt

from django import template
from django.conf import settings
from django.urls import reverse

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


@register.simple_tag
def portal_url(name: str, *args: object) -> str:
    """The full address of a portal page (``PORTAL_BASE_URL`` + its path), for a PDF or a mail."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, args=args or None)
