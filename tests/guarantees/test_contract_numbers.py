"""The 保証契約番号 as people type it (guarantees.numbers) and as an address carries it
(config.converters): full-width digits, spaces and hyphens normalise to the 10 digits."""

import pytest
from django.urls import resolve
from hypothesis import given
from hypothesis import strategies as st

from config.converters import ContractNumberConverter
from guarantees.numbers import is_well_formed_contract_number, normalize_contract_number


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_full_width_contract_numbers_with_separators_normalise(number):
    typed = to_fullwidth(number[:3]) + "-" + number[3:5] + " | " + to_fullwidth(number[5:])
    normalised = normalize_contract_number(typed)
    assert normalised == number
    assert is_well_formed_contract_number(normalised)


@given(st.text())
def test_normalising_a_contract_number_is_idempotent(text):
    once = normalize_contract_number(text)
    assert normalize_contract_number(once) == once


@pytest.mark.parametrize("value", ["107000047", "10700004730", "１０７０００0473x", "١٢٣٤٥٦٧٨٩٠"])
def test_malformed_contract_numbers_are_refused(value):
    assert not is_well_formed_contract_number(normalize_contract_number(value))


@pytest.mark.parametrize(
    "typed", ["１０７００００４７３", "107-000-0473", "１０７ー０００ー０４７３", "107 000 0473"]
)
def test_the_url_converter_hands_the_view_the_ten_ascii_digits(typed):
    assert ContractNumberConverter().to_python(typed) == "1070000473"


@pytest.mark.parametrize("typed", ["107-000-047", "1070000473-1", "107-0000-0473-0"])
def test_the_url_converter_refuses_a_number_of_the_wrong_length(typed):
    with pytest.raises(ValueError, match="047"):
        ContractNumberConverter().to_python(typed)


def test_a_full_width_number_in_an_address_resolves_to_the_normalised_number():
    match = resolve("/certificates/１０７-０００-０４７３/print/")
    assert match.url_name == "print"
    assert match.kwargs["number"] == "1070000473"
