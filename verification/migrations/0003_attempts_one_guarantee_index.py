"""Each verification attempt writes one index fewer: ``verification_history`` (guarantee, outcome,
time) answers every lookup by guarantee, so the foreign key's own index goes.

Only the index is dropped (a brief lock); Django's own AlterField would also drop and re-add the
foreign key, which re-checks every attempt under a lock that stops verifications meanwhile."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "verification_verificationattempt_guarantee_id_6e107723"


class Migration(migrations.Migration):
    dependencies = [
        ("guarantees", "0007_audit_actions_declared_by_apps"),
        ("verification", "0002_attempts_of_api_clients"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="verificationattempt",
                    name="guarantee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="verification_attempts",
                        to="guarantees.guarantee",
                        verbose_name="保証契約",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=(
                        f'CREATE INDEX IF NOT EXISTS "{INDEX}" '
                        'ON "verification_verificationattempt" ("guarantee_id")'
                    ),
                ),
            ],
        ),
    ]
