"""Property tests: whatever a clerk types, verification_input normalises it or says what is wrong."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from authkeys.keys import ALPHABET, KEY_LENGTH
from verification.services import MAX_INPUT_LENGTH, verification_input

FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
SEPARATORS = [" ", "　", "-", "－", "‐", "ー", "\t"]

numbers = st.text(alphabet="0123456789", min_size=10, max_size=10)
keys = st.text(alphabet=ALPHABET, min_size=KEY_LENGTH, max_size=KEY_LENGTH)


@st.composite
def typed_like_a_person(draw, canonical: str) -> str:
    """The canonical value with some characters full-width or lower case and separators between."""
    out = []
    for char in canonical:
        style = draw(st.sampled_from(["plain", "full", "lower", "full_lower"]))
        if style in ("lower", "full_lower"):
            char = char.lower()
        if style in ("full", "full_lower"):
            char = FULL_WIDTH.get(char, char)
        out.append(char)
        if draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from(SEPARATORS)))
    text = "".join(out)
    return draw(st.sampled_from(["", " ", "　"])) + text + draw(st.sampled_from(["", " ", "\n"]))


@given(data=st.data(), number=numbers, key=keys)
def test_full_width_lower_case_spaces_and_hyphens_normalise_to_the_canonical_values(data, number, key):
    # given what a person might type for a well-formed number and key
    typed_number = data.draw(typed_like_a_person(number))
    typed_key = data.draw(typed_like_a_person(key))
    # when it is judged
    entered = verification_input(contract_number=typed_number, auth_key=typed_key)
    # then it is exactly the canonical pair, with no error
    assert entered.errors == {}
    assert (entered.contract_number, entered.auth_key) == (number, key)


@given(number=st.text(max_size=80), key=st.text(max_size=80))
def test_any_input_is_either_accepted_as_well_formed_or_named_field_by_field(number, key):
    # when anything at all is judged
    entered = verification_input(contract_number=number, auth_key=key)
    # then the errors name only the two fields, each with a Japanese message
    assert set(entered.errors) <= {"contract_number", "auth_key"}
    for messages in entered.errors.values():
        assert messages
        assert all(message.endswith("。") for message in messages)
    # and what is accepted is well-formed
    if "contract_number" not in entered.errors:
        assert len(entered.contract_number) == 10
        assert entered.contract_number.isdigit()
        assert entered.contract_number.isascii()
    if "auth_key" not in entered.errors:
        assert len(entered.auth_key) == KEY_LENGTH
        assert set(entered.auth_key) <= set(ALPHABET)


@given(key=keys, position=st.integers(0, KEY_LENGTH - 1), look_alike=st.sampled_from("0O1I"))
def test_a_key_with_a_look_alike_character_is_refused_with_a_hint(key, position, look_alike):
    # given a key where one character became 0, O, 1 or I (never used in keys)
    typed = key[:position] + look_alike + key[position + 1 :]
    # when it is judged
    entered = verification_input(contract_number="1070000473", auth_key=typed)
    # then the message for the key says these characters are not used
    assert "0・O・1・I は使われません" in entered.errors["auth_key"][0]


def test_empty_fields_ask_to_be_filled_in():
    entered = verification_input(contract_number="  ", auth_key="")
    assert entered.errors == {
        "contract_number": ["保証契約番号を入力してください。"],
        "auth_key": ["認証キーを入力してください。"],
    }


def test_overlong_input_is_refused_even_when_it_normalises_to_a_valid_value():
    # given a valid number padded with separators beyond any typing variant
    padded = "1070000473" + " " * (MAX_INPUT_LENGTH + 1)
    # then it is refused as malformed rather than normalised
    assert "contract_number" in verification_input(contract_number=padded, auth_key="K5VL4+5QG_KJ").errors
