"""The paperwork of an advance moves here from the application app, rows and tables untouched.

The five models keep their tables (``Meta.db_table``: ``applications_advanceuseplan`` and the rest),
so this migration changes Django's state only: the application app's 0005 forgets them in the same
step. Their content types are relabelled from ``applications`` to ``advances``, so the permissions
staff were granted (``view_advanceuseplan`` …) and the admin's history of these rows stay attached;
that is metadata, no user's data moves (docs/decisions.md).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ["advanceuseplan", "advanceuseplanrevision", "advanceuserow", "withdrawalrequest", "withdrawalline"]


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=new, model__in=MODELS).values_list("model", flat=True))
    ContentType.objects.filter(app_label=old, model__in=[m for m in MODELS if m not in taken]).update(
        app_label=new
    )


def content_types_to_advances(apps, schema_editor):
    _relabel(apps, "applications", "advances")


def content_types_to_applications(apps, schema_editor):
    _relabel(apps, "advances", "applications")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("applications", "0004_use_plan_revisions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("guarantees", "0004_audit_actions_for_paperwork"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AdvanceUsePlan",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("revision", models.PositiveSmallIntegerField(default=1, verbose_name="現在の版")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新日時")),
                        (
                            "guarantee",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="use_plan",
                                to="guarantees.guarantee",
                                verbose_name="保証契約",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="作成者",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "前払金使途内訳明細書",
                        "verbose_name_plural": "前払金使途内訳明細書",
                        "db_table": "applications_advanceuseplan",
                    },
                ),
                migrations.CreateModel(
                    name="AdvanceUsePlanRevision",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveSmallIntegerField(verbose_name="版")),
                        ("advance_amount", models.BigIntegerField(verbose_name="前払金額（この版の時点）")),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="作成日時"),
                        ),
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
                                to="advances.advanceuseplan",
                                verbose_name="明細書",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "使途内訳明細書の版",
                        "verbose_name_plural": "使途内訳明細書の版",
                        "db_table": "applications_advanceuseplanrevision",
                        "ordering": ["plan", "-number"],
                    },
                ),
                migrations.CreateModel(
                    name="AdvanceUseRow",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField(verbose_name="順")),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("materials", "材料費"),
                                    ("labour", "労務費"),
                                    ("equipment_rental", "機械器具の賃借料"),
                                    ("machine_purchase", "機械購入費"),
                                    ("power", "動力費"),
                                    ("freight", "支払運賃"),
                                    ("repairs", "修繕費"),
                                    ("temporary_works", "仮設費"),
                                    ("workers_insurance", "労働者災害補償保険料"),
                                    ("guarantee_fee", "保証料"),
                                ],
                                max_length=30,
                                verbose_name="前払金を使用する項目",
                            ),
                        ),
                        (
                            "quantity",
                            models.CharField(
                                blank=True, help_text="未定も可", max_length=50, verbose_name="全所要数量"
                            ),
                        ),
                        (
                            "total_required",
                            models.BigIntegerField(blank=True, null=True, verbose_name="全所要金額"),
                        ),
                        ("advance_use", models.BigIntegerField(verbose_name="前払金使用金額")),
                        (
                            "payout_method",
                            models.CharField(
                                choices=[
                                    ("transfer", "1 支払先へ振込"),
                                    ("cash", "2 現金で払出し"),
                                    ("own_account", "3 立替払済のため自社口座に振替"),
                                    ("undecided", "未定"),
                                ],
                                max_length=20,
                                verbose_name="払出方法",
                            ),
                        ),
                        (
                            "payout_schedule",
                            models.CharField(
                                blank=True,
                                help_text="例: 令和8年8月。未定も可",
                                max_length=50,
                                verbose_name="払出予定",
                            ),
                        ),
                        (
                            "payee",
                            models.CharField(
                                blank=True, help_text="未定も可", max_length=100, verbose_name="支払先"
                            ),
                        ),
                        (
                            "revision",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="rows",
                                to="advances.advanceuseplanrevision",
                                verbose_name="版",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "使途内訳",
                        "verbose_name_plural": "使途内訳",
                        "db_table": "applications_advanceuserow",
                        "ordering": ["revision", "position"],
                    },
                ),
                migrations.CreateModel(
                    name="WithdrawalRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("sequence", models.PositiveSmallIntegerField(verbose_name="回")),
                        ("requested_on", models.DateField(verbose_name="払出希望日")),
                        ("total", models.BigIntegerField(verbose_name="払出額")),
                        ("balance_after", models.BigIntegerField(verbose_name="払出後の残高")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="作成日時")),
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
                            "guarantee",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="withdrawal_requests",
                                to="guarantees.guarantee",
                                verbose_name="保証契約",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "前払金払出依頼書",
                        "verbose_name_plural": "前払金払出依頼書",
                        "db_table": "applications_withdrawalrequest",
                        "ordering": ["guarantee", "sequence"],
                    },
                ),
                migrations.CreateModel(
                    name="WithdrawalLine",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("materials", "材料費"),
                                    ("labour", "労務費"),
                                    ("equipment_rental", "機械器具の賃借料"),
                                    ("machine_purchase", "機械購入費"),
                                    ("power", "動力費"),
                                    ("freight", "支払運賃"),
                                    ("repairs", "修繕費"),
                                    ("temporary_works", "仮設費"),
                                    ("workers_insurance", "労働者災害補償保険料"),
                                    ("guarantee_fee", "保証料"),
                                ],
                                max_length=30,
                                verbose_name="項目",
                            ),
                        ),
                        ("payee", models.CharField(max_length=100, verbose_name="支払先")),
                        ("amount", models.BigIntegerField(verbose_name="金額")),
                        (
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lines",
                                to="advances.withdrawalrequest",
                                verbose_name="払出依頼書",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "払出の内訳",
                        "verbose_name_plural": "払出の内訳",
                        "db_table": "applications_withdrawalline",
                        "ordering": ["request", "id"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="advanceuseplanrevision",
                    constraint=models.UniqueConstraint(
                        fields=("plan", "number"), name="use_plan_revision_unique_number"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="advanceuserow",
                    constraint=models.UniqueConstraint(
                        fields=("revision", "position"), name="use_row_unique_position_in_revision"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="advanceuserow",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("advance_use__gt", 0)), name="use_row_amount_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="advanceuserow",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("total_required__isnull", True),
                            ("total_required__gte", models.F("advance_use")),
                            _connector="OR",
                        ),
                        name="use_row_within_total_required",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="withdrawalrequest",
                    constraint=models.UniqueConstraint(
                        fields=("guarantee", "sequence"), name="withdrawal_unique_sequence"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="withdrawalrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("total__gt", 0)), name="withdrawal_total_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="withdrawalrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("balance_after__gte", 0)), name="withdrawal_balance_not_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="withdrawalline",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="withdrawal_line_positive"
                    ),
                ),
            ],
        ),
        migrations.RunPython(content_types_to_advances, content_types_to_applications),
    ]
