"""Reads for the application flow: a contractor's own applications, the review queue, the fee quote."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from guarantees.models import Guarantee, Orderer

from . import fees
from .models import Application, ApplicationTransition, FeeDiscount, FeeRate

ORDERER_SEARCH_LIMIT = 20


def applications_of(*, user: User) -> QuerySet[Application]:
    """The applications a contractor's user may see: its contractor's, nobody else's."""
    if user.contractor_id is None:
        return Application.objects.none()
    return Application.objects.filter(contractor_id=user.contractor_id)


def application_list(*, user: User) -> QuerySet[Application]:
    return applications_of(user=user).select_related("orderer", "target_guarantee", "guarantee")


def application_last_return(*, application: Application) -> ApplicationTransition | None:
    """The clerk's latest 差戻し, whose comment the contractor sees while correcting."""
    return (
        application.transitions.filter(event=ApplicationTransition.Event.RETURNED)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def orderer_search(*, term: str) -> list[Orderer]:
    """The orderers whose name contains ``term``; a blank term lists the orderers from the start of
    the list. At most ``ORDERER_SEARCH_LIMIT`` + 1 rows: the extra one tells the page that there are
    more and the contractor should narrow the search (never every orderer on one page)."""
    term = term.strip()
    orderers = Orderer.objects.all()
    if term:
        orderers = orderers.filter(Q(title__contains=term) | Q(organisation__contains=term))
    return list(orderers.order_by("organisation", "title", "id")[: ORDERER_SEARCH_LIMIT + 1])


def guarantees_changeable_by(*, user: User, today: dt.date) -> QuerySet[Guarantee]:
    """A contractor's guarantees in force, for which it may apply for a change or a 解約."""
    if user.contractor_id is None:
        return Guarantee.objects.none()
    return (
        Guarantee.objects.filter(contractor_id=user.contractor_id)
        .current(today=today)
        .select_related("orderer")
        .order_by("-concluded_on", "-number")
    )


def fee_bands_on(*, kind: str, orderer_kind: str, on: dt.date) -> list[fees.Band]:
    """The rate table in force on ``on``: the rows with the latest valid_from on or before it.

    One query: the tables are small (a few bands per date), so the latest date's rows are picked here.
    """
    rows = FeeRate.objects.filter(kind=kind, orderer_kind=orderer_kind, valid_from__lte=on).order_by(
        "-valid_from", "amount_from"
    )
    bands: list[fees.Band] = []
    latest: dt.date | None = None
    for valid_from, amount_from, rate_percent in rows.values_list(
        "valid_from", "amount_from", "rate_percent"
    ):
        if latest is not None and valid_from != latest:
            break
        latest = valid_from
        bands.append(fees.Band(amount_from=amount_from, rate_percent=rate_percent))
    return bands


def fee_discount_on(*, kind: str, on: dt.date) -> fees.Discount | None:
    row = FeeDiscount.objects.filter(kind=kind, valid_from__lte=on).order_by("-valid_from").first()
    if row is None:
        return None
    return fees.Discount(min_amount=row.min_amount, amount_off=row.amount_off, label=row.label)


def fee_quote(*, kind: str, orderer_kind: str, amount: int, on: dt.date) -> fees.FeeQuote | None:
    """The fee for a new guarantee of ``amount`` yen on ``on``; None when no rate is in force."""
    bands = fee_bands_on(kind=kind, orderer_kind=orderer_kind, on=on)
    if not bands or bands[0].amount_from != 0:
        return None
    return fees.fee_compute(amount=amount, bands=bands, discount=fee_discount_on(kind=kind, on=on))


def fee_quote_for_increase(
    *, kind: str, orderer_kind: str, old_amount: int, new_amount: int, on: dt.date
) -> int | None:
    """The additional fee of a 増額: the fee of the new amount less that of the old, no discount."""
    bands = fee_bands_on(kind=kind, orderer_kind=orderer_kind, on=on)
    if not bands or bands[0].amount_from != 0:
        return None
    new = fees.fee_compute(amount=new_amount, bands=bands).base
    old = fees.fee_compute(amount=old_amount, bands=bands).base
    return max(0, new - old)


def review_queue(*, branch_id: int | None) -> QuerySet[Application]:
    queryset = Application.objects.exclude(state=Application.State.DRAFT)
    if branch_id is not None:
        queryset = queryset.filter(branch_id=branch_id)
    return queryset


# --- The clerk's review desk ---------------------------------------------------------------------

DESK_STATES = (
    Application.State.SUBMITTED,
    Application.State.IN_REVIEW,
    Application.State.AWAITING_FEE,
)


def review_desk(*, branch_id: int | None) -> QuerySet[Application]:
    """The applications waiting for a clerk of ``branch_id`` (every branch for head office): 申込済,
    審査中 and 保証料入金待ち, oldest submission first, with what the desk shows in a fixed number of
    queries (documents prefetched)."""
    return (
        review_queue(branch_id=branch_id)
        .filter(state__in=DESK_STATES)
        .select_related("contractor", "orderer", "branch", "target_guarantee")
        .prefetch_related("documents")
        .order_by("submitted_at", "id")
    )


@dataclass(frozen=True)
class ChangeLine:
    """One line of a change application as the clerk reads it: 保証金額 145,670,000円 → 160,000,000円."""

    label: str
    before: str
    after: str


def _yen_text(amount: int | None) -> str:
    return "-" if amount is None else f"{amount:,}円"


def _date_text(day: dt.date | None) -> str:
    return "-" if day is None else f"{day:%Y/%m/%d}"


def change_before_after(*, application: Application) -> list[ChangeLine]:
    """What a change or 解約 application would change on its guarantee, before → after; only the
    values the application sets and that differ from the guarantee's."""
    target = application.target_guarantee
    if target is None:
        return []
    if application.purpose == Application.Purpose.CANCEL:
        return [ChangeLine(str(_("状態")), target.display_status(), str(_("解約")))]
    # The values the approval would write (applications.changes.change_lines: the same
    # GuaranteeChanges and guarantee_values_after the approval applies), only those that move.
    from . import changes  # changes reads models only; imported here to keep selectors light

    lines = [
        ChangeLine(
            line.label,
            _yen_text(line.before) if line.is_amount else _date_text(line.before),
            _yen_text(line.after) if line.is_amount else _date_text(line.after),
        )
        for line in changes.change_lines(application)
        if line.changed
    ]
    return lines


def advance_account(*, guarantee: Guarantee) -> Application | None:
    """The application that issued the advance holds its account (預金種目, 口座番号, 名義)."""
    return guarantee.source_applications.filter(purpose=Application.Purpose.NEW).order_by("pk").first()
