"""The guarantee fee (保証料), as a pure function of the amount, the rate bands and the discount.

Reading (no official table was published, see docs/applications.md):
- each band's rate applies to the part of the guarantee amount inside the band;
- the sum is rounded down to the yen once, at the end (切り捨て);
- then the discount (e-Net: 200 yen for advances of 3,000,000 yen or more) is taken off, never below 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal


@dataclass(frozen=True)
class Band:
    amount_from: int  # yen: the band covers the part of the amount above this
    rate_percent: Decimal


@dataclass(frozen=True)
class Discount:
    min_amount: int
    amount_off: int
    label: str = "e-Net割引"


@dataclass(frozen=True)
class QuoteLine:
    amount_from: int
    amount_to: int  # inclusive upper end of the part charged in this band
    portion: int
    rate_percent: Decimal
    fee: Decimal  # unrounded


@dataclass(frozen=True)
class FeeQuote:
    amount: int
    base: int  # rounded down to the yen
    discount: int
    total: int
    lines: tuple[QuoteLine, ...]
    discount_label: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "amount": self.amount,
            "base": self.base,
            "discount": self.discount,
            "discount_label": self.discount_label,
            "total": self.total,
            "lines": [
                {
                    "amount_from": line.amount_from,
                    "amount_to": line.amount_to,
                    "portion": line.portion,
                    "rate_percent": str(line.rate_percent),
                }
                for line in self.lines
            ],
        }


def fee_compute(*, amount: int, bands: Sequence[Band], discount: Discount | None = None) -> FeeQuote:
    """The fee for ``amount`` yen. ``bands`` need not be sorted; the lowest must start at 0."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    ordered = sorted(bands, key=lambda band: band.amount_from)
    if not ordered or ordered[0].amount_from != 0:
        raise ValueError("the rate bands must start at 0 yen")
    lines: list[QuoteLine] = []
    exact = Decimal(0)
    for index, band in enumerate(ordered):
        upper = ordered[index + 1].amount_from if index + 1 < len(ordered) else None
        if amount <= band.amount_from:
            break
        top = amount if upper is None else min(amount, upper)
        portion = top - band.amount_from
        fee = Decimal(portion) * band.rate_percent / Decimal(100)
        exact += fee
        lines.append(
            QuoteLine(
                amount_from=band.amount_from,
                amount_to=top,
                portion=portion,
                rate_percent=band.rate_percent,
                fee=fee,
            )
        )
    base = int(exact.to_integral_value(rounding=ROUND_FLOOR))
    off = 0
    label = ""
    if discount is not None and discount.amount_off > 0 and amount >= discount.min_amount:
        off = min(discount.amount_off, base)
        label = discount.label
    return FeeQuote(
        amount=amount, base=base, discount=off, total=base - off, lines=tuple(lines), discount_label=label
    )
