"""The audit trail's actions: one table (``AuditEvent``), each app declaring the actions it records.

An app lists its actions in its own ``audit_actions`` module, each one ``register(value, label)``:
the value is what the row stores for ever (``<noun>.<verb>``, e.g. ``guarantee.registered``), the
label what staff read (保証契約の登録). ``guarantees`` imports every installed app's
``audit_actions`` module when it starts (``GuaranteesConfig.ready``), as the admin finds ``admin``
modules, so every action is registered once ``django.setup()`` has run; the modules import nothing
but this one and gettext. ``audit_record`` accepts only a registered action, so a misspelt name
fails where it is written instead of storing a row nobody can filter for; screens read labels with
``label_for``. A new action needs no migration of ``guarantees``.
"""

from __future__ import annotations

import re
from typing import Any, Self

from django.utils.functional import Promise

StrOrPromise = str | Promise

#: The width of ``AuditEvent.action``; a longer value could not be stored.
ACTION_MAX_LENGTH = 40

_VALUE = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*")


class AuditAction(str):
    """One registered action: the stored value itself (a ``str``, so it compares, filters and
    serialises as the value, as a ``TextChoices`` member does) and its ``label``. Immutable; made
    only by ``register``."""

    label: StrOrPromise

    def __new__(cls, value: str, label: StrOrPromise) -> Self:
        action = super().__new__(cls, value)
        object.__setattr__(action, "label", label)
        return action

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"audit action {str(self)!r} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"audit action {str(self)!r} is immutable")

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Copies and pickles resolve to the registered action, never to a second, unregistered one.
        return (action_for, (str(self),))

    def __repr__(self) -> str:
        return f"AuditAction({str(self)!r})"


class UnknownAuditAction(ValueError):
    """An action nobody registered: a misspelt value, or an ``AuditAction`` made by hand."""


_registry: dict[str, AuditAction] = {}


def register(value: str, label: StrOrPromise) -> AuditAction:
    """Declare one action of the audit trail. The value is stored in every row it writes and must
    never change; it must be unique across the apps."""
    if not _VALUE.fullmatch(value) or len(value) > ACTION_MAX_LENGTH:
        raise ValueError(
            f"audit action {value!r} is not <noun>.<verb> in lower case, up to {ACTION_MAX_LENGTH} characters"
        )
    if value in _registry:
        raise ValueError(f"audit action {value!r} is registered twice")
    action = AuditAction(value, label)
    _registry[value] = action
    return action


def action_for(value: str) -> AuditAction:
    """The registered action stored as ``value``; ``UnknownAuditAction`` when there is none."""
    try:
        return _registry[value]
    except KeyError:
        raise UnknownAuditAction(f"audit action {value!r} is not registered") from None


def require_registered(action: object) -> AuditAction:
    """``action`` itself when it is a registered action; refuses a plain string (``TypeError``)
    and an action that was never registered (``UnknownAuditAction``)."""
    if not isinstance(action, AuditAction):
        raise TypeError(
            f"an audit action is declared with guarantees.audit.register, "
            f"not given as {type(action).__name__} ({action!r})"
        )
    if _registry.get(str(action)) is not action:
        raise UnknownAuditAction(f"audit action {str(action)!r} is not registered")
    return action


def label_for(value: str) -> str:
    """What a person reads for a stored value: the registered label, or the value itself for a row
    whose action is no longer declared (as ``get_FOO_display`` did for a value outside its choices)."""
    action = _registry.get(value)
    return str(action.label) if action is not None else value


def registered() -> list[AuditAction]:
    """Every registered action, by value (so each noun's actions stand together)."""
    return sorted(_registry.values())
