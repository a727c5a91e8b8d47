"""Every revision of a 使途内訳明細書 is kept: rows belong to a revision, not to the plan.

The rows each plan has now become its one kept revision, numbered as the plan's current revision
(the number printed on the PDFs the contractor already holds), saved by the plan's last author at its
last update, for the advance as it is now.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def rows_into_revisions(apps, schema_editor):
    AdvanceUsePlan = apps.get_model("applications", "AdvanceUsePlan")
    Revision = apps.get_model("applications", "AdvanceUsePlanRevision")
    AdvanceUseRow = apps.get_model("applications", "AdvanceUseRow")
    for plan in AdvanceUsePlan.objects.select_related("guarantee").iterator():
        revision = Revision.objects.create(
            plan=plan,
            number=plan.revision,
            advance_amount=plan.guarantee.guarantee_amount,
            created_by_id=plan.updated_by_id,
            created_at=plan.updated_at,
        )
        AdvanceUseRow.objects.filter(plan=plan).update(revision=revision)


def revisions_into_rows(apps, schema_editor):
    """Back to one set of rows per plan: the current revision's; older revisions are dropped."""
    AdvanceUsePlan = apps.get_model("applications", "AdvanceUsePlan")
    Revision = apps.get_model("applications", "AdvanceUsePlanRevision")
    AdvanceUseRow = apps.get_model("applications", "AdvanceUseRow")
    for plan in AdvanceUsePlan.objects.iterator():
        AdvanceUseRow.objects.filter(revision__plan=plan, revision__number=plan.revision).update(plan=plan)
        AdvanceUseRow.objects.filter(revision__plan=plan).exclude(revision__number=plan.revision).delete()
    AdvanceUseRow.objects.update(revision=None)
    Revision.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0003_advance_paperwork"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AdvanceUsePlanRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveSmallIntegerField(verbose_name="版")),
                ("advance_amount", models.BigIntegerField(verbose_name="前払金額（この版の時点）")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="作成日時")),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="作成者",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="revisions",
                        to="applications.advanceuseplan",
                        verbose_name="明細書",
                    ),
                ),
            ],
            options={
                "verbose_name": "使途内訳明細書の版",
                "verbose_name_plural": "使途内訳明細書の版",
                "ordering": ["plan", "-number"],
                "constraints": [
                    models.UniqueConstraint(fields=("plan", "number"), name="use_plan_revision_unique_number")
                ],
            },
        ),
        migrations.AddField(
            model_name="advanceuserow",
            name="revision",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rows",
                to="applications.advanceuseplanrevision",
                verbose_name="版",
            ),
        ),
        migrations.RemoveConstraint(model_name="advanceuserow", name="use_row_unique_position"),
        migrations.AlterField(
            model_name="advanceuserow",
            name="plan",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rows",
                to="applications.advanceuseplan",
                verbose_name="明細書",
            ),
        ),
        migrations.RunPython(rows_into_revisions, revisions_into_rows),
        migrations.RemoveField(model_name="advanceuserow", name="plan"),
        migrations.AlterField(
            model_name="advanceuserow",
            name="revision",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rows",
                to="applications.advanceuseplanrevision",
                verbose_name="版",
            ),
        ),
        migrations.AlterModelOptions(
            name="advanceuserow",
            options={"ordering": ["revision", "position"], "verbose_name": "使途内訳", "verbose_name_plural": "使途内訳"},
        ),
        migrations.AddConstraint(
            model_name="advanceuserow",
            constraint=models.UniqueConstraint(
                fields=("revision", "position"), name="use_row_unique_position_in_revision"
            ),
        ),
        migrations.AlterField(
            model_name="advanceuseplan",
            name="revision",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="現在の版"),
        ),
    ]
