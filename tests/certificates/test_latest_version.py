"""The guarantee carries its latest certificate version's number, 証書発行日 and (変更) mark
(保証工事一覧 reads them), written in the transaction that issues the version."""

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from certificates.models import Certificate
from certificates.services import GuaranteeChanges, guarantee_change
from guarantees.models import Guarantee
from tests.factories import issue_guarantee, register_guarantee

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def _latest(guarantee: Guarantee) -> tuple[int | None, dt.date | None, bool]:
    guarantee.refresh_from_db()
    return (
        guarantee.latest_certificate_version,
        guarantee.latest_certificate_issued_on,
        guarantee.latest_certificate_is_change,
    )


def test_a_registered_guarantee_has_no_latest_version():
    # when
    guarantee = register_guarantee()

    # then
    assert _latest(guarantee) == (None, None, False)


def test_issuing_and_a_change_with_a_new_version_keep_the_latest_version_on_the_guarantee(time_machine):
    # given a guarantee issued on 2026-04-01 in Japan
    time_machine.move_to(dt.datetime(2026, 4, 1, 9, tzinfo=TOKYO), tick=False)
    guarantee = issue_guarantee()
    assert _latest(guarantee) == (1, dt.date(2026, 4, 1), False)

    # when its amount changes on 2026-05-10 (a (変更) version)
    time_machine.move_to(dt.datetime(2026, 5, 10, 9, tzinfo=TOKYO), tick=False)
    guarantee_change(
        guarantee=guarantee,
        changes=GuaranteeChanges(guarantee_amount=35_000_000),
        changed_by=None,
        reason="減額",
    )

    # then the guarantee reads the second version
    assert _latest(guarantee) == (2, dt.date(2026, 5, 10), True)
    newest = Certificate.objects.filter(guarantee=guarantee).order_by("-version").first()
    assert newest is not None
    assert (newest.version, newest.issued_on, newest.is_change) == _latest(guarantee)


def test_a_change_without_a_new_version_leaves_the_latest_version_as_it_was():
    # given
    guarantee = issue_guarantee()
    before = _latest(guarantee)

    # when only the contract amount changes (注3: no new version)
    outcome = guarantee_change(
        guarantee=guarantee, changes=GuaranteeChanges(contract_amount_total=120_000_000), changed_by=None
    )

    # then
    assert outcome.certificate is None
    assert _latest(guarantee) == before


def test_the_database_refuses_a_half_written_latest_version():
    # given
    guarantee = register_guarantee()

    # when / then: a date without a version, and a (変更) first version, are refused
    for values in (
        {"latest_certificate_issued_on": dt.date(2026, 4, 1)},
        {
            "latest_certificate_version": 1,
            "latest_certificate_issued_on": dt.date(2026, 4, 1),
            "latest_certificate_is_change": True,
        },
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Guarantee.objects.filter(pk=guarantee.pk).update(**values)


def test_the_migration_fills_the_latest_version_from_the_versions_already_issued(time_machine):
    # given a changed guarantee, an unchanged one and one without a certificate, their columns emptied
    time_machine.move_to(dt.datetime(2026, 4, 1, 9, tzinfo=TOKYO), tick=False)
    changed = issue_guarantee()
    unchanged = issue_guarantee()
    pending = register_guarantee()
    time_machine.move_to(dt.datetime(2026, 5, 10, 9, tzinfo=TOKYO), tick=False)
    guarantee_change(
        guarantee=changed,
        changes=GuaranteeChanges(guarantee_amount=35_000_000),
        changed_by=None,
        reason="減額",
    )
    Guarantee.objects.update(
        latest_certificate_version=None, latest_certificate_issued_on=None, latest_certificate_is_change=False
    )

    # when the migration's fill runs
    migration = importlib.import_module("guarantees.migrations.0005_latest_certificate")
    with connection.schema_editor() as schema_editor:
        migration.fill_from_certificates(apps, schema_editor)

    # then each guarantee reads its newest version again
    assert _latest(changed) == (2, dt.date(2026, 5, 10), True)
    assert _latest(unchanged) == (1, dt.date(2026, 4, 1), False)
    assert _latest(pending) == (None, None, False)
