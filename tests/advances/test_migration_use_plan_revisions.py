"""Migration 0004_use_plan_revisions keeps the plans already saved: their rows become their one kept
revision, numbered as printed on the contractor's PDFs."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("applications", "0003_advance_paperwork")]
AFTER = [("applications", "0004_use_plan_revisions")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_rows_saved_before_become_the_current_revision_of_each_plan(user_a, orderer):
    from tests.factories import issue_guarantee

    guarantee = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, concluded_on=dt.date(2026, 6, 1)
    )
    try:
        # given a plan amended twice under the old schema (its earlier rows already gone)
        old = _migrate(BEFORE)
        plan = old.get_model("applications", "AdvanceUsePlan").objects.create(
            guarantee_id=guarantee.pk, revision=3, updated_by_id=user_a.pk
        )
        Row = old.get_model("applications", "AdvanceUseRow")
        Row.objects.create(
            plan_id=plan.pk,
            position=1,
            category="materials",
            advance_use=30_000_000,
            payout_method="transfer",
            payee="株式会社九州生コン",
        )
        Row.objects.create(
            plan_id=plan.pk, position=2, category="labour", advance_use=10_000_000, payout_method="cash"
        )

        # when the portal migrates
        new = _migrate(AFTER)

        # then the rows are revision 3 of the plan, saved by its author, for the advance as it is
        [revision] = new.get_model("applications", "AdvanceUsePlanRevision").objects.filter(plan_id=plan.pk)
        assert (revision.number, revision.created_by_id, revision.advance_amount) == (
            3,
            user_a.pk,
            40_000_000,
        )
        rows = new.get_model("applications", "AdvanceUseRow").objects.filter(revision_id=revision.pk)
        assert sorted(rows.values_list("position", "category", "advance_use")) == [
            (1, "materials", 30_000_000),
            (2, "labour", 10_000_000),
        ]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
