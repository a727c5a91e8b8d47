"""The advance's paperwork now belongs to the advances app (its 0001 takes the models over).

State only: the tables keep their names and their rows, nothing is dropped or copied.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_use_plan_revisions"),
        ("advances", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="WithdrawalLine"),
                migrations.DeleteModel(name="WithdrawalRequest"),
                migrations.DeleteModel(name="AdvanceUseRow"),
                migrations.DeleteModel(name="AdvanceUsePlanRevision"),
                migrations.DeleteModel(name="AdvanceUsePlan"),
            ],
        ),
    ]
