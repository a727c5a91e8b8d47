"""The e-Net application's 保証料計算書 as a signed PDF.

Rendered on demand through the one PDF pipeline (``certificates.pdf.render_pdf``: WeasyPrint with the
shipped font, then the guarantor's signature), never stored: it follows the application as it
changes (a resubmission re-quotes), and it holds no secret. The advance's paperwork has its own
PDFs (advances.pdf).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from certificates.pdf import render_pdf
from guarantees.models import Guarantee

from . import fees, selectors
from .models import Application


@dataclass(frozen=True)
class PrintedLine:
    """One band of the fee as printed: the part of the amount in the band, its rate, its fee."""

    amount_from: int
    amount_to: int
    portion: int
    rate: str  # "0.060"
    fee: str  # "24,000" or "7.407" (unrounded: the sum is rounded down once)


def _decimal_yen(value: Decimal) -> str:
    whole = int(value)
    fraction = (value - whole).normalize()
    text = f"{whole:,}"
    if fraction:
        text += str(fraction)[1:]  # ".407"
    return text


def _rate(value: Decimal) -> str:
    return f"{value:.3f}" if value == value.quantize(Decimal("0.001")) else str(value.normalize())


def _printed_lines(quote: fees.FeeQuote) -> list[PrintedLine]:
    return [
        PrintedLine(
            amount_from=line.amount_from,
            amount_to=line.amount_to,
            portion=line.portion,
            rate=_rate(line.rate_percent),
            fee=_decimal_yen(line.fee),
        )
        for line in quote.lines
    ]


def fee_statement_available(application: Application) -> bool:
    """A statement exists once the fee was quoted (on submission) and there is a fee to explain."""
    if application.fee_quoted_on is None or not application.fee_amount:
        return False
    return application.purpose == Application.Purpose.NEW or (
        application.purpose == Application.Purpose.CHANGE
        and application.change_type == Application.ChangeType.INCREASE
    )


def _statement_guarantee(application: Application) -> Guarantee | None:
    return application.guarantee or application.target_guarantee


def fee_statement_context(application: Application) -> dict[str, Any]:
    """What the 保証料計算書 prints: the bands in force on the quote day, the stored totals."""
    if not fee_statement_available(application) or application.guarantee_amount is None:
        raise ValueError("This application has no fee to state.")
    quoted_on = application.fee_quoted_on
    assert quoted_on is not None  # noqa: S101 - checked by fee_statement_available
    guarantee = _statement_guarantee(application)
    orderer = application.orderer or (guarantee.orderer if guarantee is not None else None)
    if orderer is None:
        raise ValueError("An application with a fee has an orderer.")
    bands = selectors.fee_bands_on(kind=application.kind, orderer_kind=orderer.kind, on=quoted_on)
    quote = fees.fee_compute(amount=application.guarantee_amount, bands=bands) if bands else None
    is_increase = application.purpose == Application.Purpose.CHANGE
    base = application.fee_base or 0
    discount = application.fee_discount or 0
    discount_label = ""
    if discount:
        found = selectors.fee_discount_on(kind=application.kind, on=quoted_on)
        discount_label = found.label if found is not None else "割引"
    branch = application.branch
    return {
        "application": application,
        "contractor_name": application.contractor.display_name,
        "orderer_title": orderer.title,
        "orderer_kind": orderer.get_kind_display(),
        "kind_label": application.get_kind_display(),
        "purpose_label": application.get_purpose_display(),
        "is_increase": is_increase,
        "amount": application.guarantee_amount,
        "quoted_on": quoted_on,
        "lines": _printed_lines(quote) if quote is not None else [],
        "new_amount_base": quote.base if quote is not None else None,
        # 増額: the fee of the new amount less that of the old one, at the quote day's rates.
        "old_amount_base": (quote.base - base) if (is_increase and quote is not None) else None,
        "base": base,
        "discount": discount,
        "discount_label": discount_label,
        "total": application.fee_amount,
        "paid_on": application.fee_paid_on,
        "paid_amount": application.fee_paid_amount,
        "number": guarantee.number if guarantee is not None else "",
        "branch": branch,
        "company_name": branch.company.name if branch is not None else "",
        "printed_on": timezone.localdate(),
        "document_title": f"保証料計算書 {application.work_name}",
    }


def fee_statement_pdf(*, application: Application) -> bytes:
    return render_pdf("pdf/fee_statement.html", fee_statement_context(application), reason="保証料計算書")


__all__ = [
    "PrintedLine",
    "fee_statement_available",
    "fee_statement_pdf",
]
