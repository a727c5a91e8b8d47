"""The paperwork moved from e-Net保証 to its own app without a row moving: the plans, revisions, rows
and requests saved before are the advances app's afterwards, in the same tables, and the permissions
staff were granted on them still hold (their content types are relabelled, not replaced)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _migrate(targets, *, unapply=()):
    """Migrate to ``targets`` (and back out of the apps in ``unapply``); the models as of ``targets``."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([*targets, *((app, None) for app in unapply)])
    return executor.loader.project_state(targets).apps


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _before_the_move():
    """Every app as it is now, but e-Net保証 still holding the paperwork and no advances app."""
    kept = [node for node in _leaves() if node[0] not in ("advances", "applications")]
    return [*kept, ("applications", "0004_use_plan_revisions")]


@pytest.mark.django_db(transaction=True)
def test_the_paperwork_saved_before_the_move_is_the_advances_apps_with_its_permissions(user_a, orderer):
    from tests.factories import issue_guarantee

    guarantee = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, concluded_on=dt.date(2026, 6, 1)
    )
    try:
        # given a plan, its revision and row, a request and its line saved while e-Net保証 held them,
        # and a group of staff allowed to read plans
        old = _migrate(_before_the_move(), unapply=["advances"])
        plan = old.get_model("applications", "AdvanceUsePlan").objects.create(
            guarantee_id=guarantee.pk, revision=1, updated_by_id=user_a.pk
        )
        revision = old.get_model("applications", "AdvanceUsePlanRevision").objects.create(
            plan_id=plan.pk, number=1, advance_amount=40_000_000, created_by_id=user_a.pk
        )
        old.get_model("applications", "AdvanceUseRow").objects.create(
            revision_id=revision.pk,
            position=1,
            category="materials",
            advance_use=40_000_000,
            payout_method="cash",
        )
        request = old.get_model("applications", "WithdrawalRequest").objects.create(
            guarantee_id=guarantee.pk,
            sequence=1,
            requested_on=dt.date(2026, 7, 1),
            total=1_000_000,
            balance_after=39_000_000,
            created_by_id=user_a.pk,
        )
        old.get_model("applications", "WithdrawalLine").objects.create(
            request_id=request.pk, category="materials", payee="山田工業", amount=1_000_000
        )
        content_type = old.get_model("contenttypes", "ContentType").objects.get(
            app_label="applications", model="advanceuseplan"
        )
        permission = old.get_model("auth", "Permission").objects.get(
            content_type_id=content_type.pk, codename="view_advanceuseplan"
        )
        group = old.get_model("auth", "Group").objects.create(name="paperwork readers")
        group.permissions.add(permission)

        # when the portal migrates
        new = _migrate(_leaves())

        # then the same rows are the advances app's
        moved = new.get_model("advances", "AdvanceUsePlan").objects.get(pk=plan.pk)
        assert (moved.guarantee_id, moved.revision) == (guarantee.pk, 1)
        rows = new.get_model("advances", "AdvanceUseRow").objects.filter(revision__plan_id=plan.pk)
        assert list(rows.values_list("category", "advance_use")) == [("materials", 40_000_000)]
        lines = new.get_model("advances", "WithdrawalLine").objects.filter(request__guarantee_id=guarantee.pk)
        assert list(lines.values_list("payee", "amount")) == [("山田工業", 1_000_000)]
        # and the content type and the group's permission are the same rows, now under advances
        ContentType = new.get_model("contenttypes", "ContentType")
        assert ContentType.objects.get(pk=content_type.pk).app_label == "advances"
        assert not ContentType.objects.filter(app_label="applications", model="advanceuseplan").exists()
        kept = new.get_model("auth", "Group").objects.get(pk=group.pk).permissions.get()
        assert (kept.pk, kept.codename, kept.content_type.app_label) == (
            permission.pk,
            "view_advanceuseplan",
            "advances",
        )
    finally:
        _migrate(_leaves())
