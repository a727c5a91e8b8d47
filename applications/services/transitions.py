"""What every step of an application shares: the row lock, who may act, in which state, and the
move to the next state with its transition row (and the contractor's mail)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from accounts.models import User
from guarantees.models import Guarantee

from ..errors import ApplicationError
from ..models import Application, ApplicationTransition
from .notices import notify

State = Application.State
Event = ApplicationTransition.Event


def locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("contractor", "orderer", "branch", "bank", "parent_guarantee", "target_guarantee")
        .get(pk=application.pk)
    )


def refuse_state(application: Application, event: Event) -> ApplicationError:
    # The step is named by the label its transition row shows (ApplicationTransition.Event).
    return ApplicationError(
        "invalid_state",
        _("この申込は「%(state)s」のため、%(action)sできません。")
        % {"state": application.state_label, "action": event.label},
    )


def require_state(application: Application, event: Event, *allowed: str) -> None:
    if application.state not in allowed:
        raise refuse_state(application, event)


def require_owner(application: Application, user: User) -> None:
    if user.contractor_id is None or user.contractor_id != application.contractor_id:
        raise ApplicationError("not_owner", _("この申込を操作する権限がありません。"))


def require_clerk(application: Application, clerk: User) -> None:
    allowed = (
        clerk.is_active
        and clerk.is_staff
        and clerk.has_perm("applications.review_application")
        and (clerk.is_superuser or clerk.branch_id is None or clerk.branch_id == application.branch_id)
    )
    if not allowed:
        raise ApplicationError("not_clerk", _("この申込を審査する権限がありません（取扱支店の職員のみ）。"))


def move(
    application: Application,
    *,
    event: str,
    to_state: str,
    actor: User,
    comment: str = "",
    data: dict[str, Any] | None = None,
    update_fields: tuple[str, ...] = (),
) -> ApplicationTransition:
    from_state = application.state
    application.state = to_state
    application.save(update_fields=["state", "updated_at", *update_fields])
    transition = ApplicationTransition.objects.create(
        application=application,
        event=event,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        comment=comment,
        data=data or {},
    )
    notify(application=application, transition=transition)
    return transition


def incomplete() -> ApplicationError:
    return ApplicationError(
        "incomplete", _("申込の内容が不足しています。差し戻して再申込を依頼してください。")
    )


def target_of(application: Application) -> Guarantee:
    if application.target_guarantee is None:
        raise incomplete()
    return application.target_guarantee
