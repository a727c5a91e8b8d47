# The outbox keeps only the indexes a query reads (each mail's insert and state changes write them all).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_outbox_password_reset_kind"),
    ]

    # The new unique index first, then the old one (with its LIKE-only twin) and the plain
    # next_attempt_at index go: the key is never unguarded.
    operations = [
        migrations.AddConstraint(
            model_name="outboxmessage",
            constraint=models.UniqueConstraint(
                fields=("idempotency_key",), name="outbox_idempotency_key_unique"
            ),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="idempotency_key",
            field=models.CharField(max_length=200, verbose_name="冪等キー"),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="next_attempt_at",
            field=models.DateTimeField(verbose_name="次回送信"),
        ),
    ]
