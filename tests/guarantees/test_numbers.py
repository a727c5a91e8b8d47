"""保証契約番号: branch code 3 + kind 2 + serial 5, without gaps or races."""

import threading

import pytest
from django.db import connection, transaction

from guarantees.models import GuaranteeKind, GuaranteeNumberSequence
from guarantees.services import guarantee_number_allocate
from tests.factories import BranchFactory, register_guarantee


def test_numbers_follow_the_brochures_pattern_per_kind(tokyo_branch, orderer):
    advance = register_guarantee(branch=tokyo_branch, orderer=orderer)
    contract = register_guarantee(
        kind=GuaranteeKind.CONTRACT,
        branch=tokyo_branch,
        orderer=orderer,
        bank=None,
        guarantee_amount=10_000_000,
    )
    assert advance.number == "1070000001"
    assert contract.number == "1070200001"


def test_interim_advances_use_kind_code_01(tokyo_branch, orderer):
    advance = register_guarantee(branch=tokyo_branch, orderer=orderer)
    interim = register_guarantee(
        kind=GuaranteeKind.INTERIM_ADVANCE,
        parent=advance,
        contractor=advance.contractor,
        branch=tokyo_branch,
        orderer=orderer,
        guarantee_amount=10_000_000,
    )
    assert interim.number == "1070100001"


def test_a_rolled_back_registration_gives_its_number_back(tokyo_branch, orderer):
    register_guarantee(branch=tokyo_branch, orderer=orderer)

    def register_then_fail() -> None:
        with transaction.atomic():
            register_guarantee(branch=tokyo_branch, orderer=orderer)
            raise RuntimeError("the clerk's browser went away")

    with pytest.raises(RuntimeError):
        register_then_fail()
    assert register_guarantee(branch=tokyo_branch, orderer=orderer).number == "1070000002"


def test_a_taken_over_number_moves_the_sequence_past_it(tokyo_branch, orderer):
    register_guarantee(branch=tokyo_branch, orderer=orderer, number="1070000473")
    assert register_guarantee(branch=tokyo_branch, orderer=orderer).number == "1070000474"


def test_the_sixth_digit_cannot_overflow(tokyo_branch, orderer):
    GuaranteeNumberSequence.objects.create(branch=tokyo_branch, kind=GuaranteeKind.ADVANCE, last_serial=99999)
    from guarantees.errors import GuaranteeError

    with pytest.raises(GuaranteeError, match="使い切りました"):
        register_guarantee(branch=tokyo_branch, orderer=orderer)


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_consecutive_numbers():
    branch = BranchFactory()
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def allocate() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(guarantee_number_allocate(branch=branch, kind=GuaranteeKind.ADVANCE))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(numbers) == [f"10700{n:05d}" for n in range(1, 31)]
