"""Properties of the portal's small normalisers: search words and login IDs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from accounts.limits import normalize_login_id
from certificates.selectors import MAX_QUERY_LENGTH, search_terms


@given(st.text())
def test_search_words_never_contain_spaces_and_never_exceed_the_length_limit(query):
    # when
    terms = search_terms(query)

    # then
    assert all(term and not any(char.isspace() for char in term) for term in terms)
    assert sum(len(term) for term in terms) <= MAX_QUERY_LENGTH


@given(st.lists(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1), max_size=5))
def test_words_separated_by_any_mix_of_ascii_and_full_width_spaces_come_back_as_typed(words):
    # given
    separators = [" ", "\u3000", "  ", " \u3000 "]
    query = "".join(word + separators[index % len(separators)] for index, word in enumerate(words))

    # when / then
    if len(query) <= MAX_QUERY_LENGTH:
        assert search_terms(query) == words


@given(st.text())
def test_normalising_a_login_id_is_idempotent(login_id):
    # when
    once = normalize_login_id(login_id)

    # then
    assert normalize_login_id(once) == once


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1))
def test_full_width_and_upper_case_login_ids_count_as_the_ascii_lower_case_id(login_id):
    # given
    full_width = login_id.upper().translate({code: code + 0xFEE0 for code in range(ord("!"), ord("~") + 1)})

    # then
    assert normalize_login_id(full_width) == login_id
