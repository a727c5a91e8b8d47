"""The advance account on the 前払金払出依頼書 (advances app): a template tag, so the paperwork's PDF
prints the account without the advances app importing this one."""

from __future__ import annotations

from django import template

from guarantees.models import Guarantee

from .. import selectors
from ..models import Application

register = template.Library()


@register.simple_tag
def advance_account(guarantee: Guarantee) -> Application | None:
    """The e-Net application that issued ``guarantee``: it holds the advance account (預金種目,
    口座番号, 口座名義). None for a guarantee a clerk registered without an application."""
    return selectors.advance_account(guarantee=guarantee)
