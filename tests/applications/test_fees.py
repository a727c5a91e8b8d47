"""The fee quote: banded rates, rounding down to the yen, the e-Net discount, dates of validity."""
# mypy: disable-error-code="union-attr,operator"

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from applications import selectors
from applications.fees import Band, Discount, fee_compute
from applications.models import FeeDiscount, FeeRate
from guarantees.models import GuaranteeKind, Orderer

DEMO_NATIONAL = [
    Band(0, Decimal("0.060")),
    Band(50_000_000, Decimal("0.050")),
    Band(200_000_000, Decimal("0.040")),
]
ENET = Discount(min_amount=3_000_000, amount_off=200)


def test_the_interim_advance_fee_is_a_flat_0_065_percent_as_published():
    # given the published example: 10,000,000 yen of 中間前払金
    # when
    quote = fee_compute(amount=10_000_000, bands=[Band(0, Decimal("0.065"))])
    # then
    assert (quote.base, quote.discount, quote.total) == (6_500, 0, 6_500)


def test_each_band_charges_only_the_part_of_the_amount_inside_it():
    # given the brochure's advance of 145,670,000 yen under the demo national table
    quote = fee_compute(amount=145_670_000, bands=DEMO_NATIONAL, discount=ENET)
    # then 50,000,000 × 0.06% + 95,670,000 × 0.05% = 30,000 + 47,835, less 200 yen
    assert [line.portion for line in quote.lines] == [50_000_000, 95_670_000]
    assert (quote.base, quote.discount, quote.total) == (77_835, 200, 77_635)


def test_the_fee_is_rounded_down_to_the_yen_once_at_the_end():
    # given amounts whose exact fee has fractions of a yen
    quote = fee_compute(amount=1_234_567, bands=[Band(0, Decimal("0.065"))])
    # then 802.468… yen is charged as 802
    assert quote.base == 802


def test_the_enet_discount_starts_at_exactly_3_000_000_yen():
    below = fee_compute(amount=2_999_999, bands=DEMO_NATIONAL, discount=ENET)
    at = fee_compute(amount=3_000_000, bands=DEMO_NATIONAL, discount=ENET)
    assert (below.discount, at.discount) == (0, 200)
    assert at.total == 1_800 - 200


def test_the_discount_never_makes_the_fee_negative():
    quote = fee_compute(amount=3_000_000, bands=[Band(0, Decimal("0.001"))], discount=ENET)
    assert (quote.base, quote.discount, quote.total) == (30, 30, 0)


def test_bands_that_do_not_start_at_zero_are_refused():
    with pytest.raises(ValueError, match="start at 0"):
        fee_compute(amount=1, bands=[Band(1, Decimal("0.1"))])


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_a_larger_amount_never_costs_less(a, b):
    low, high = sorted((a, b))
    assert (
        fee_compute(amount=low, bands=DEMO_NATIONAL).base
        <= fee_compute(amount=high, bands=DEMO_NATIONAL).base
    )


@given(st.integers(min_value=0, max_value=10**12))
def test_the_fee_is_an_integer_within_a_yen_below_the_exact_sum(amount):
    quote = fee_compute(amount=amount, bands=DEMO_NATIONAL, discount=ENET)
    exact = sum(line.fee for line in quote.lines)
    assert isinstance(quote.total, int)
    assert 0 <= exact - quote.base < 1
    assert quote.total == quote.base - quote.discount >= 0


def test_the_seeded_demo_table_quotes_the_brochures_advance(db):
    quote = selectors.fee_quote(
        kind=GuaranteeKind.ADVANCE,
        orderer_kind=Orderer.Kind.NATIONAL,
        amount=145_670_000,
        on=dt.date(2026, 7, 1),
    )
    assert quote is not None
    assert quote.total == 77_635
    assert FeeRate.objects.filter(note__contains="デモ用").exists()


def test_a_new_rate_table_applies_from_its_valid_from_date_only(db):
    # given a new national advance table from 2026-10-01
    FeeRate.objects.create(
        kind=GuaranteeKind.ADVANCE,
        orderer_kind=Orderer.Kind.NATIONAL,
        amount_from=0,
        rate_percent=Decimal("0.100"),
        valid_from=dt.date(2026, 10, 1),
    )
    # when quoting the day before and on the day
    before = selectors.fee_quote(
        kind=GuaranteeKind.ADVANCE,
        orderer_kind=Orderer.Kind.NATIONAL,
        amount=10_000_000,
        on=dt.date(2026, 9, 30),
    )
    on = selectors.fee_quote(
        kind=GuaranteeKind.ADVANCE,
        orderer_kind=Orderer.Kind.NATIONAL,
        amount=10_000_000,
        on=dt.date(2026, 10, 1),
    )
    # then the old table holds until the day before, and the new one (one band) from the day
    assert before is not None
    assert on is not None
    assert before.base == 6_000
    assert on.base == 10_000
    assert len(on.lines) == 1


def test_a_discount_ends_from_the_date_of_a_zero_yen_rule(db):
    FeeDiscount.objects.create(
        kind=GuaranteeKind.ADVANCE, min_amount=3_000_000, amount_off=0, valid_from=dt.date(2027, 4, 1)
    )
    assert selectors.fee_discount_on(kind=GuaranteeKind.ADVANCE, on=dt.date(2027, 3, 31)).amount_off == 200
    assert selectors.fee_discount_on(kind=GuaranteeKind.ADVANCE, on=dt.date(2027, 4, 1)).amount_off == 0


def test_no_quote_before_any_rate_is_in_force(db):
    assert (
        selectors.fee_quote(
            kind=GuaranteeKind.ADVANCE, orderer_kind=Orderer.Kind.NATIONAL, amount=1, on=dt.date(2020, 1, 1)
        )
        is None
    )
