"""Submission states (提出済 / 受領確認済) for the contractor's screens.

The screens belong to lower apps (certificates, authkeys), which may not import notifications; the
templates compose the two instead: ``{% load submissions %}`` and one query per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from notifications.selectors import SubmissionState, submission_states

register = template.Library()


@register.simple_tag
def submission_states_for(guarantees: Iterable[Any]) -> dict[int, SubmissionState]:
    """``{% submission_states_for page_rows as states %}``: one query for the whole page."""
    return submission_states(guarantee.pk for guarantee in guarantees)


@register.simple_tag
def submission_state_for(guarantee: Any) -> SubmissionState | None:
    return submission_states([guarantee.pk]).get(guarantee.pk)


@register.filter
def state_of(states: dict[int, SubmissionState], guarantee: Any) -> SubmissionState | None:
    """``{{ states|state_of:guarantee }}``."""
    return states.get(guarantee.pk)
