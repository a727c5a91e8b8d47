"""The latest certificate version's number, 証書発行日 and (変更) mark on the guarantee, filled from
the versions already issued. Reversible: going back drops the three columns; no certificate changes."""

from django.db import migrations, models


def fill_from_certificates(apps, schema_editor):
    guarantee = apps.get_model("guarantees", "Guarantee")._meta.db_table
    certificate = apps.get_model("certificates", "Certificate")._meta.db_table
    quote = schema_editor.quote_name

    def latest(column: str) -> str:
        return (
            f"(SELECT c.{quote(column)} FROM {quote(certificate)} c WHERE c.guarantee_id = {quote(guarantee)}.id"
            " ORDER BY c.version DESC LIMIT 1)"
        )

    # One statement, on PostgreSQL and SQLite alike; the (guarantee, version) unique index answers
    # each subquery.
    schema_editor.execute(
        f"UPDATE {quote(guarantee)} SET latest_certificate_version = {latest('version')},"
        f" latest_certificate_issued_on = {latest('issued_on')},"
        f" latest_certificate_is_change = {latest('is_change')}"
        f" WHERE EXISTS (SELECT 1 FROM {quote(certificate)} c WHERE c.guarantee_id = {quote(guarantee)}.id)"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('guarantees', '0004_audit_actions_for_paperwork'),
        ('certificates', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='guarantee',
            name='latest_certificate_is_change',
            field=models.BooleanField(default=False, editable=False, verbose_name='最新版が変更証書'),
        ),
        migrations.AddField(
            model_name='guarantee',
            name='latest_certificate_issued_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='最新版の証書発行日'),
        ),
        migrations.AddField(
            model_name='guarantee',
            name='latest_certificate_version',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True, verbose_name='証書の最新版'),
        ),
        migrations.RunPython(fill_from_certificates, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name='guarantee',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('latest_certificate_is_change', False), ('latest_certificate_issued_on__isnull', True), ('latest_certificate_version__isnull', True)), models.Q(('latest_certificate_issued_on__isnull', False), ('latest_certificate_version__gte', 1), ('latest_certificate_version__isnull', False), models.Q(('latest_certificate_is_change', False), ('latest_certificate_version__gt', 1), _connector='OR')), _connector='OR'), name='guarantee_latest_certificate_whole'),
        ),
        # 保証工事一覧 counts and pages only guarantees with a certificate.
        migrations.RemoveIndex(
            model_name='guarantee',
            name='guarantee_contractor_list',
        ),
        migrations.AddIndex(
            model_name='guarantee',
            index=models.Index(condition=models.Q(('latest_certificate_version__isnull', False)), fields=['contractor', '-concluded_on', '-number'], name='guarantee_contractor_list'),
        ),
    ]
