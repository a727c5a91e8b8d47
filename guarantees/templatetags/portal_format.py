"""Template filters for printed values: ``amount|yen``, ``day|wareki``, ``day|slashdate``, the
Japan-time ``moment|slashtime`` and ``moment|warekitime``; and ``{% portal_url "name" %}``, a page's
full address for documents printed on paper."""

import datetime as dt

from django import template
from django.conf import settings
from django.urls import reverse

from guarantees import formatting
from guarantees.models import Guarantee
from guarantees.status import StatusBanner, guarantee_status

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


@register.filter
def slashtime(moment: dt.datetime | None, arg: str = "") -> str:
    """``{{ at|slashtime }}`` → ``2026/12/03 18:04``; ``{{ at|slashtime:"seconds" }}`` adds seconds."""
    return formatting.slash_time(moment, seconds=arg == "seconds")


@register.filter
def warekitime(moment: dt.datetime | None, arg: str = "") -> str:
    """``{{ at|warekitime }}`` → ``令和 8年12月 3日 18:04`` (Japan time)."""
    return formatting.wareki_time(moment, seconds=arg == "seconds")


@register.filter
def guarantee_state(guarantee: Guarantee) -> StatusBanner:
    """``{% with state=guarantee|guarantee_state %}``: 有効 / 保証期間満了 / 解約 / 取消, today in Japan."""
    return guarantee_status(guarantee)


@register.simple_tag
def portal_url(name: str, *args: object) -> str:
    """The full address of a portal page (``PORTAL_BASE_URL`` + its path), for a PDF or a mail."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, args=args or None)
