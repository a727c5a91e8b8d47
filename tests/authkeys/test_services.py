"""Issuing, verifying, reissuing and displaying 認証キー."""

import pytest

from authkeys import keys
from authkeys.audit_actions import AUTHKEY_DISPLAYED
from authkeys.models import AuthKey
from authkeys.selectors import guarantee_matching_key
from authkeys.services import authkey_reissue, authkey_reveal
from guarantees.models import AuditEvent
from tests.factories import issue_guarantee


def test_the_issued_key_verifies_and_a_wrong_one_does_not(orderer):
    guarantee = issue_guarantee(orderer=orderer, key="K5VL4+5QG_KJ")
    assert guarantee_matching_key(contract_number=guarantee.number, key="K5VL4+5QG_KJ") == guarantee
    assert guarantee_matching_key(contract_number=guarantee.number, key="K5VL4+5QG_KK") is None
    assert guarantee_matching_key(contract_number="9999999999", key="K5VL4+5QG_KJ") is None


def test_the_key_is_not_stored_in_clear(orderer):
    guarantee = issue_guarantee(orderer=orderer, key="K5VL4+5QG_KJ")
    row = AuthKey.objects.get(guarantee=guarantee)
    assert "K5VL4" not in row.digest + row.ciphertext


def test_the_advance_key_does_not_open_another_contract(orderer, contractor_a):
    advance = issue_guarantee(orderer=orderer, contractor=contractor_a, key="K5VL4+5QG_KJ")
    other = issue_guarantee(orderer=orderer, contractor=contractor_a)
    assert guarantee_matching_key(contract_number=other.number, key="K5VL4+5QG_KJ") is None
    assert guarantee_matching_key(contract_number=advance.number, key="K5VL4+5QG_KJ") == advance


def test_a_reissued_key_replaces_the_old_one_at_once(orderer, head_office):
    guarantee = issue_guarantee(orderer=orderer, key="K5VL4+5QG_KJ")
    authkey_reissue(guarantee=guarantee, reissued_by=head_office, reason="漏えいの疑い")
    assert guarantee_matching_key(contract_number=guarantee.number, key="K5VL4+5QG_KJ") is None
    new_key = authkey_reveal(guarantee=guarantee, user=head_office)
    assert new_key != "K5VL4+5QG_KJ"
    assert keys.is_well_formed_key(new_key)
    assert guarantee_matching_key(contract_number=guarantee.number, key=new_key) == guarantee
    assert AuthKey.objects.filter(guarantee=guarantee).count() == 2


def test_displaying_a_key_records_who_and_when(orderer, user_a):
    guarantee = issue_guarantee(orderer=orderer, contractor=user_a.contractor, key="K5VL4+5QG_KJ")
    assert authkey_reveal(guarantee=guarantee, user=user_a) == "K5VL4+5QG_KJ"
    event = AuditEvent.objects.get(action=AUTHKEY_DISPLAYED)
    assert event.actor == user_a
    assert event.guarantee == guarantee
    assert event.created_at is not None


def test_a_key_typed_with_full_width_characters_is_taken_over_normalised(orderer):
    guarantee = issue_guarantee(orderer=orderer, key="ｋ５ｖｌ４＋５ｑｇ＿ｋｊ")
    assert guarantee_matching_key(contract_number=guarantee.number, key="K5VL4+5QG_KJ") == guarantee


def test_a_malformed_key_cannot_be_taken_over(orderer):
    from guarantees.errors import GuaranteeError

    with pytest.raises(GuaranteeError, match="認証キーの形式"):
        issue_guarantee(orderer=orderer, key="K0VL4+5QG_KJ")
