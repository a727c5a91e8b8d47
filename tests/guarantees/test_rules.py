"""Which certificates are electronic, and which amounts an orderer allows."""

import datetime as dt

import pytest

from guarantees.errors import GuaranteeError
from guarantees.models import Guarantee, GuaranteeKind
from tests.factories import OrdererFactory, register_guarantee

ADOPTED = dt.date(2024, 2, 1)


@pytest.fixture
def nakatane(db):
    return OrdererFactory(
        title="中種子町長", organisation="中種子町", kind="municipality", e_guarantee_adopted_on=ADOPTED
    )


def test_a_guarantee_concluded_on_the_adoption_date_is_electronic(nakatane):
    guarantee = register_guarantee(orderer=nakatane, concluded_on=ADOPTED)
    assert guarantee.medium == Guarantee.Medium.ELECTRONIC


def test_a_guarantee_concluded_before_the_adoption_date_is_paper(nakatane):
    guarantee = register_guarantee(orderer=nakatane, concluded_on=ADOPTED - dt.timedelta(days=1))
    assert guarantee.medium == Guarantee.Medium.PAPER


def test_an_orderer_without_e_guarantees_gets_paper(db):
    orderer = OrdererFactory(e_guarantee_adopted_on=None)
    assert register_guarantee(orderer=orderer).medium == Guarantee.Medium.PAPER


def test_the_interim_advance_of_an_advance_made_before_adoption_stays_paper(nakatane):
    advance = register_guarantee(orderer=nakatane, concluded_on=dt.date(2024, 1, 10))
    interim = register_guarantee(
        kind=GuaranteeKind.INTERIM_ADVANCE,
        parent=advance,
        contractor=advance.contractor,
        orderer=nakatane,
        guarantee_amount=20_000_000,
        concluded_on=dt.date(2024, 9, 1),
    )
    assert interim.medium == Guarantee.Medium.PAPER


def test_the_interim_advance_of_an_electronic_advance_is_electronic(nakatane):
    advance = register_guarantee(orderer=nakatane, concluded_on=dt.date(2024, 3, 1))
    interim = register_guarantee(
        kind=GuaranteeKind.INTERIM_ADVANCE,
        parent=advance,
        contractor=advance.contractor,
        orderer=nakatane,
        guarantee_amount=20_000_000,
        concluded_on=dt.date(2024, 9, 1),
    )
    assert interim.medium == Guarantee.Medium.ELECTRONIC


def test_an_advance_of_four_tenths_of_the_target_amount_is_allowed(orderer):
    guarantee = register_guarantee(
        orderer=orderer, contract_amount_target=100_000_000, guarantee_amount=40_000_000
    )
    assert guarantee.guarantee_amount == 40_000_000


def test_an_advance_over_four_tenths_is_refused_with_the_limit_in_the_message(orderer):
    with pytest.raises(GuaranteeError) as error:
        register_guarantee(orderer=orderer, contract_amount_target=100_000_000, guarantee_amount=40_000_001)
    assert error.value.code == "advance_too_large"
    assert "10分の4以内" in error.value.message
    assert "40,000,000円" in error.value.message


def test_an_orderer_may_set_a_lower_advance_fraction(db):
    design_office = OrdererFactory(advance_max_tenths=3)
    with pytest.raises(GuaranteeError, match="10分の3以内"):
        register_guarantee(
            orderer=design_office, contract_amount_target=100_000_000, guarantee_amount=40_000_000
        )


def test_an_interim_advance_is_limited_to_a_further_two_tenths(orderer):
    advance = register_guarantee(orderer=orderer)
    with pytest.raises(GuaranteeError) as error:
        register_guarantee(
            kind=GuaranteeKind.INTERIM_ADVANCE,
            parent=advance,
            contractor=advance.contractor,
            orderer=orderer,
            guarantee_amount=20_000_001,
        )
    assert error.value.code == "interim_too_large"


def test_an_interim_advance_needs_the_advance_it_follows(orderer):
    with pytest.raises(GuaranteeError) as error:
        register_guarantee(kind=GuaranteeKind.INTERIM_ADVANCE, orderer=orderer, guarantee_amount=10_000_000)
    assert error.value.code == "interim_needs_advance"


def test_a_contract_guarantee_of_at_least_one_tenth_is_allowed_and_less_is_refused(orderer):
    ok = register_guarantee(
        kind=GuaranteeKind.CONTRACT, orderer=orderer, bank=None, guarantee_amount=10_000_000
    )
    assert ok.kind == GuaranteeKind.CONTRACT
    with pytest.raises(GuaranteeError) as error:
        register_guarantee(
            kind=GuaranteeKind.CONTRACT, orderer=orderer, bank=None, guarantee_amount=9_999_999
        )
    assert error.value.code == "contract_too_small"
    assert "10,000,000円" in error.value.message


def test_a_target_amount_above_the_total_is_refused(orderer):
    with pytest.raises(GuaranteeError, match="対象額"):
        register_guarantee(
            orderer=orderer, contract_amount_total=1_000, contract_amount_target=2_000, guarantee_amount=100
        )


def test_a_guarantee_period_ending_before_the_contract_date_is_refused(orderer):
    with pytest.raises(GuaranteeError, match="保証期間"):
        register_guarantee(
            orderer=orderer, concluded_on=dt.date(2026, 6, 1), guarantee_period_end=dt.date(2026, 5, 31)
        )


def test_nothing_is_stored_when_a_rule_refuses(orderer):
    with pytest.raises(GuaranteeError):
        register_guarantee(orderer=orderer, guarantee_amount=0)
    assert not Guarantee.objects.exists()
