"""The status a person reads of a guarantee: one decision for every screen, document, mail and API.

``Guarantee.status`` holds what staff decided (有効, 解約, 取消). What a person reads also depends
on the day in Japan: a guarantee past the end of its period reads 保証期間満了 although nobody
changed it. ``guarantee_status`` decides that for the certificate screen, the key screen, 保証工事一覧
and the admin; ``certificate_status`` adds what an orderer must also know (変更あり) for the verify
page, the API and the 確認記録 PDF; ``version_note`` says whether the version shown is the newest.
The list filters and the admin filter ask the database the same question through
``filter_by_status``, so a list and a screen never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .formatting import japan_today
from .models import Guarantee, StrOrPromise


class StatusCode:
    ACTIVE = "active"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    REVOKED = "revoked"
    CHANGED = "changed"  # orderers only: in force, with a (変更) version


#: What a person can filter on, in the order the admin offers it.
STATUS_CHOICES: list[tuple[str, StrOrPromise]] = [
    (StatusCode.ACTIVE, gettext_lazy("有効")),
    (StatusCode.EXPIRED, gettext_lazy("保証期間満了")),
    (StatusCode.CANCELLED, gettext_lazy("解約")),
    (StatusCode.REVOKED, gettext_lazy("取消")),
]


@dataclass(frozen=True)
class StatusBanner:
    """What a person reads of a guarantee's state, in one line and its detail."""

    code: str  # active | changed | cancelled | revoked | expired (the API's ``status``)
    label: str  # 有効 / 変更あり / 解約 / 取消 / 保証期間満了
    date: dt.date | None
    date_label: str
    reason: str
    period_extended_to: dt.date | None  # the guarantee period followed a longer construction period

    @property
    def in_force(self) -> bool:
        """Active and within its period: keys may be shown and submitted, changes applied for."""
        return self.code in (StatusCode.ACTIVE, StatusCode.CHANGED)


class _Version(Protocol):
    """The fields of a certificate version the status reads (``certificates.models.Certificate``)."""

    version: int
    issued_on: dt.date
    guarantee_period_end: dt.date
    change_reason: str


def guarantee_status(
    guarantee: Guarantee, *, today: dt.date | None = None, newest: _Version | None = None
) -> StatusBanner:
    """有効, 保証期間満了, 解約 or 取消 on ``today`` (default: today in Japan).

    取消 and 解約 outrank 保証期間満了. ``newest`` (the newest certificate version), when given, lets the
    banner note that the period followed a longer construction period than the certificate prints.
    """
    today = japan_today() if today is None else today
    extended = (
        guarantee.guarantee_period_end
        if newest is not None and guarantee.guarantee_period_end > newest.guarantee_period_end
        else None
    )
    if guarantee.status == Guarantee.Status.REVOKED:
        return StatusBanner(
            StatusCode.REVOKED,
            _("取消"),
            guarantee.status_changed_on,
            _("取消日"),
            guarantee.status_reason,
            extended,
        )
    if guarantee.status == Guarantee.Status.CANCELLED:
        return StatusBanner(
            StatusCode.CANCELLED,
            _("解約"),
            guarantee.status_changed_on,
            _("解約日"),
            guarantee.status_reason,
            extended,
        )
    if guarantee.guarantee_period_end < today:
        return StatusBanner(
            StatusCode.EXPIRED,
            _("保証期間満了"),
            guarantee.guarantee_period_end,
            _("保証期間の末日"),
            _("保証期間が終了しました。"),
            extended,
        )
    return StatusBanner(
        StatusCode.ACTIVE,
        _("有効"),
        guarantee.guarantee_period_end,
        _("保証期間の末日"),
        _("保証期間中の有効な保証です。"),
        extended,
    )


def certificate_status(
    *, guarantee: Guarantee, versions: Sequence[_Version], today: dt.date | None = None
) -> StatusBanner:
    """The orderer's banner (verify page, API, 確認記録): ``guarantee_status``, and 変更あり when a
    guarantee in force has a (変更) version. ``versions`` are newest first."""
    newest = versions[0]
    status = guarantee_status(guarantee, today=today, newest=newest)
    if status.code == StatusCode.ACTIVE and len(versions) > 1:
        return StatusBanner(
            StatusCode.CHANGED,
            _("変更あり"),
            newest.issued_on,
            _("変更証書の発行日"),
            newest.change_reason
            or _("保証金額の構成等が変更され、(変更)の証書（第%(version)d版）が発行されています。")
            % {"version": newest.version},
            status.period_extended_to,
        )
    return status


def version_note(*, shown: int, newest: int) -> str:
    """``最新の版``, or ``より新しい第3版があります`` for an older version."""
    if shown >= newest:
        return _("最新の版")
    return _("より新しい第%(latest)s版があります") % {"latest": newest}


def status_query(code: str, *, today: dt.date | None = None) -> Q:
    """The database's form of ``guarantee_status(...).code == code`` (for lists and filters)."""
    today = japan_today() if today is None else today
    active = Q(status=Guarantee.Status.ACTIVE)
    if code == StatusCode.ACTIVE:
        return active & Q(guarantee_period_end__gte=today)
    if code == StatusCode.EXPIRED:
        return active & Q(guarantee_period_end__lt=today)
    if code == StatusCode.CANCELLED:
        return Q(status=Guarantee.Status.CANCELLED)
    if code == StatusCode.REVOKED:
        return Q(status=Guarantee.Status.REVOKED)
    raise ValueError(f"unknown status {code!r}")


def filter_by_status(
    queryset: QuerySet[Guarantee], code: str, *, today: dt.date | None = None
) -> QuerySet[Guarantee]:
    return queryset.filter(status_query(code, today=today))
