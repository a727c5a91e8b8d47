"""The 認証キー: alphabet, generation, normalising, digest and encryption."""

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from authkeys import keys

KEY_CHARS = st.sampled_from(list(keys.ALPHABET))
KEYS = st.lists(KEY_CHARS, min_size=12, max_size=12).map("".join)


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_the_alphabet_is_the_brochures_without_look_alikes():
    assert set(keys.ALPHABET) == set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789+_")
    assert not set(keys.ALPHABET) & set("0O1I")


def test_the_brochures_example_key_is_well_formed():
    assert keys.is_well_formed_key("K5VL4+5QG_KJ")


def test_generated_keys_are_twelve_characters_of_the_alphabet_and_differ():
    generated = {keys.generate_key() for _ in range(200)}
    assert len(generated) == 200
    assert all(keys.is_well_formed_key(k) for k in generated)


@given(KEYS)
def test_a_key_typed_in_full_width_lower_case_with_spaces_and_hyphens_normalises_to_itself(key):
    messy = to_fullwidth(key.lower()[:4]) + " - " + key.lower()[4:8] + "　ー" + key[8:]
    assert keys.normalize_key(messy) == key


@given(st.text(max_size=40))
def test_normalising_a_key_is_idempotent(text):
    once = keys.normalize_key(text)
    assert keys.normalize_key(once) == once


@pytest.mark.parametrize(
    "value", ["K5VL4+5QG_K", "K5VL4+5QG_KJX", "K5VL4+5QG_K0", "O5VL4+5QG_KJ", "K5VL4*5QG_KJ"]
)
def test_malformed_keys_are_refused(value):
    assert not keys.is_well_formed_key(keys.normalize_key(value))


def test_the_digest_depends_on_the_contract_number_and_the_key():
    digest = keys.key_digest(contract_number="1070000473", key="K5VL4+5QG_KJ")
    assert len(digest) == 64
    assert digest == keys.key_digest(contract_number="1070000473", key="K5VL4+5QG_KJ")
    assert digest != keys.key_digest(contract_number="1070200236", key="K5VL4+5QG_KJ")
    assert digest != keys.key_digest(contract_number="1070000473", key="K5VL4+5QG_KK")


def test_an_encrypted_key_decrypts_only_for_its_own_contract():
    sealed = keys.encrypt_key(contract_number="1070000473", key="K5VL4+5QG_KJ")
    assert "K5VL4" not in sealed
    assert keys.decrypt_key(contract_number="1070000473", ciphertext=sealed) == "K5VL4+5QG_KJ"
    with pytest.raises(InvalidTag):
        keys.decrypt_key(contract_number="1070200236", ciphertext=sealed)


def test_two_encryptions_of_the_same_key_differ():
    one = keys.encrypt_key(contract_number="1070000473", key="K5VL4+5QG_KJ")
    two = keys.encrypt_key(contract_number="1070000473", key="K5VL4+5QG_KJ")
    assert one != two
