"""The advance's paperwork on screens of other apps (the certificate screen): a template tag, so the
certificates app below does not import this one."""

from __future__ import annotations

from typing import Any

from django import template

from guarantees.models import Guarantee

from .. import selectors

register = template.Library()


@register.inclusion_tag("advances/_plan_warning.html")
def use_plan_warning(guarantee: Guarantee) -> dict[str, Any]:
    """The warning of a 使途内訳明細書 that plans more than the advance (nothing when it fits)."""
    return {"guarantee": guarantee, "plan_warning": selectors.use_plan_warning(guarantee=guarantee)}
