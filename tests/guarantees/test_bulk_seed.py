"""Generated data for benchmarks (``seed_demo --guarantees``) is loaded with COPY and must be what
the portal itself would have written: certificates with the same printed fields, keys that verify
and display, numbers from the sequences, and every index back in place."""

import pytest
from django.db import IntegrityError, connection, transaction

from authkeys import keys
from authkeys.models import AuthKey
from authkeys.selectors import guarantee_matching_key
from certificates.models import Certificate
from certificates.services import certificate_snapshot
from demo import brochure
from demo.generated import seed_generated
from guarantees.models import Guarantee, GuaranteeNumberSequence, Orderer
from portal import bulk


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN "
            "('guarantees_guarantee', 'certificates_certificate', 'authkeys_authkey')"
        )
        return {row[0] for row in cursor.fetchall()}


def test_a_bulk_load_writes_certificates_and_keys_as_the_portal_would(db):
    # Given the brochure's data and the indexes the migrations made
    brochure.seed_brochure()
    indexes = _index_names()
    # when 400 guarantees are generated, rebuilding the indexes after the load
    added = seed_generated(count=400, demo_share=30, batch_size=150, rebuild_indexes_from=1)
    # then all are there, with unique 10-digit numbers drawn from the sequences
    assert added == 400
    generated = Guarantee.objects.exclude(number__in=[brochure.ADVANCE_NUMBER, brochure.CONTRACT_NUMBER])
    assert generated.count() == 400
    assert generated.filter(contractor__company_name="株式会社西日本保証建設").count() == 30
    numbers = list(Guarantee.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) == 402
    top = max(int(n[-5:]) for n in numbers if n.startswith("1070"))
    assert GuaranteeNumberSequence.objects.get(branch__code="107", kind="advance").last_serial >= top
    # and every guarantee has its first certificate, printed from certificate_snapshot
    sample = generated.select_related("branch__company", "contractor", "orderer", "bank").order_by("pk")[:25]
    for guarantee in sample:
        certificate = Certificate.objects.get(guarantee=guarantee, version=1)
        snapshot = certificate_snapshot(guarantee)
        assert {field: getattr(certificate, field) for field in snapshot} == snapshot
        assert certificate.registered_at is not None
    # and each electronic guarantee has one live key that verifies and decrypts
    electronic = generated.filter(medium=Guarantee.Medium.ELECTRONIC)
    assert (
        AuthKey.objects.filter(guarantee__in=electronic, revoked_at__isnull=True).count()
        == electronic.count()
    )
    assert not AuthKey.objects.filter(guarantee__medium=Guarantee.Medium.PAPER).exists()
    for auth_key in AuthKey.objects.select_related("guarantee").filter(guarantee__in=electronic)[:25]:
        number = auth_key.guarantee.number
        key = keys.decrypt_key(contract_number=number, ciphertext=auth_key.ciphertext)
        assert keys.is_well_formed_key(key)
        assert guarantee_matching_key(contract_number=number, key=key) == auth_key.guarantee
    # and the indexes dropped for the load are all back
    assert _index_names() == indexes


def test_bulk_generated_keys_use_only_the_key_alphabet_and_differ():
    generated = keys.generate_keys(2000)
    assert len(generated) == 2000
    assert all(keys.is_well_formed_key(key) for key in generated)
    assert len(set(generated)) == 2000
    counts = {symbol: 0 for symbol in keys.ALPHABET}
    for key in generated:
        for symbol in key:
            counts[symbol] += 1
    # 24,000 symbols over 34: each about 706; a biased modulo would skew the first ones
    assert min(counts.values()) > 550
    assert max(counts.values()) < 870


def _constraints() -> set[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype IN ('f', 'u') AND convalidated AND conrelid::regclass::text IN "
            "('guarantees_guarantee', 'certificates_certificate', 'authkeys_authkey')"
        )
        return set(cursor.fetchall())


def test_a_bulk_load_puts_every_unique_constraint_and_foreign_key_back_validated(db):
    brochure.seed_brochure()
    constraints = _constraints()
    assert any(definition.startswith("UNIQUE") for _table, _name, definition in constraints)
    seed_generated(count=120, batch_size=50, rebuild_indexes_from=1)
    assert _constraints() == constraints


def test_a_duplicate_loaded_while_the_unique_constraints_are_down_fails_the_load(db):
    # given the brochure's advance, whose certificate version 1 exists
    brochure.seed_brochure()
    advance = Guarantee.objects.select_related("branch__company", "contractor", "orderer", "bank").get(
        number=brochure.ADVANCE_NUMBER
    )
    duplicate = {
        "guarantee_id": advance.pk,
        "version": 1,
        "certified_on": advance.concluded_on,
        "issued_on": advance.concluded_on,
        **certificate_snapshot(advance),
    }
    # when a load copies a second version 1 while its table's constraints are down
    # then adding them back refuses it, and the load fails
    with pytest.raises(IntegrityError), transaction.atomic(), bulk.indexes_built_after(Certificate):
        bulk.copy_rows(Certificate, [duplicate])
    assert Certificate.objects.filter(guarantee=advance).count() == 1


def test_rows_made_ahead_are_copied_as_copy_rows_would_copy_them(db):
    # given orderers made into COPY text by a thread while the connection does something else
    rows = [
        {"title": f"第{i}町長", "organisation": f"（生成）第{i}町", "kind": "municipality"}
        for i in range(600)
    ]
    with bulk.made_ahead(Orderer, iter(rows), ahead=256) as orderers:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.05)")
        # when they are copied
        copied = orderers.copy()
    # then every row is in the table, as written
    assert copied == 600
    assert Orderer.objects.filter(organisation__startswith="（生成）第").count() == 600
    assert Orderer.objects.get(title="第599町長").organisation == "（生成）第599町"


def test_rows_made_ahead_may_not_query_the_database(db):
    def rows():
        yield {"title": "第1町長", "organisation": "（生成）第1町", "kind": "municipality"}
        Orderer.objects.count()  # a query from the making thread, outside the load's transaction
        yield {"title": "第2町長", "organisation": "（生成）第2町", "kind": "municipality"}

    with pytest.raises(RuntimeError, match="must not query"), bulk.made_ahead(Orderer, rows()) as orderers:
        orderers.copy()


def test_leaving_the_block_without_copying_stops_the_making_thread(db):
    # given more rows than may be made ahead, never copied (an error before the copy)
    endless = (
        {"title": f"第{i}町長", "organisation": "（生成）", "kind": "municipality"} for i in range(10**9)
    )
    with bulk.made_ahead(Orderer, endless, ahead=256) as orderers:
        thread = orderers._thread
        assert thread is not None
    # then the thread has ended
    assert not thread.is_alive()


def test_copied_text_keeps_tabs_newlines_and_backslashes_and_repeats_are_the_same(db):
    odd = "第1\t町長\\改行\n後\r"
    rows = [{"title": odd, "organisation": f"（生成）第{i}町", "kind": "municipality"} for i in range(3)]
    assert bulk.copy_rows(Orderer, rows) == 3
    assert (
        list(Orderer.objects.filter(organisation__startswith="（生成）").values_list("title", flat=True))
        == [odd] * 3
    )


def test_the_same_seed_generates_the_same_guarantees_whatever_the_threads_do(db):
    # given two loads of the same seed, each in batches made by a thread while the last is copied
    def generated() -> list[tuple[object, ...]]:
        with transaction.atomic():
            seed_generated(count=300, batch_size=60, rebuild_indexes_from=1)
            rows: list[tuple[object, ...]] = list(
                Guarantee.objects.exclude(number__in=[brochure.ADVANCE_NUMBER, brochure.CONTRACT_NUMBER])
                .order_by("id")
                .values_list("work_name", "guarantee_amount", "concluded_on", "latest_certificate_issued_on")
            )
            transaction.set_rollback(True)
        return rows

    # then both loads drew the same values in the same order
    first = generated()
    assert len(first) == 300
    assert generated() == first


def test_a_row_the_table_refuses_fails_the_copy_with_djangos_error_and_stores_nothing(db):
    # given the brochure's advance, whose certificate version 1 exists
    brochure.seed_brochure()
    advance = Guarantee.objects.get(number=brochure.ADVANCE_NUMBER)
    before = Certificate.objects.filter(guarantee=advance).count()
    first = Certificate.objects.filter(guarantee=advance).order_by("version").values().first()
    assert first is not None
    fresh = {**first, "version": 99}
    duplicate = {**first}
    for row in (fresh, duplicate):
        del row["id"]
    # when one COPY brings a new version and a second version 1 (the unique constraint is up)
    # then the driver's error reaches the caller as Django's, and neither row is stored
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.copy_rows(Certificate, [fresh, duplicate])
    assert Certificate.objects.filter(guarantee=advance).count() == before
