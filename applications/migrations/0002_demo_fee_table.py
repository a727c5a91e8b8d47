"""A demo rate table, clearly labelled: no official 前払金保証 or 契約保証 rate table was published.

Staff replace it in admin (保証料率) by adding rows with a later 適用開始日; these rows stay for the
quotes made while they were in force. 中間前払金保証 is the published flat 0.065%; the e-Net discount is
the brochure's 200 yen for advances of 3,000,000 yen or more.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

DEMO_NOTE = "デモ用の料率（公式の料率表ではありません）"
VALID_FROM = dt.date(2022, 4, 1)

# (kind, orderer_kind) -> [(amount_from, rate_percent)]
BANDS = {
    "advance": {
        "national": [(0, "0.060"), (50_000_000, "0.050"), (200_000_000, "0.040")],
        "prefecture": [(0, "0.065"), (50_000_000, "0.055"), (200_000_000, "0.045")],
        "municipality": [(0, "0.070"), (50_000_000, "0.060"), (200_000_000, "0.050")],
        "other": [(0, "0.080"), (50_000_000, "0.070"), (200_000_000, "0.060")],
    },
    "contract": {
        "national": [(0, "0.030"), (50_000_000, "0.025"), (200_000_000, "0.020")],
        "prefecture": [(0, "0.035"), (50_000_000, "0.030"), (200_000_000, "0.025")],
        "municipality": [(0, "0.040"), (50_000_000, "0.035"), (200_000_000, "0.030")],
        "other": [(0, "0.045"), (50_000_000, "0.040"), (200_000_000, "0.035")],
    },
    "interim_advance": {
        orderer_kind: [(0, "0.065")] for orderer_kind in ("national", "prefecture", "municipality", "other")
    },
}


def seed(apps, schema_editor):
    FeeRate = apps.get_model("applications", "FeeRate")
    FeeDiscount = apps.get_model("applications", "FeeDiscount")
    for kind, by_orderer in BANDS.items():
        for orderer_kind, bands in by_orderer.items():
            for amount_from, rate in bands:
                note = "中間前払金保証料 0.065%（公表値）" if kind == "interim_advance" else DEMO_NOTE
                FeeRate.objects.get_or_create(
                    kind=kind,
                    orderer_kind=orderer_kind,
                    valid_from=VALID_FROM,
                    amount_from=amount_from,
                    defaults={"rate_percent": Decimal(rate), "note": note},
                )
    FeeDiscount.objects.get_or_create(
        kind="advance",
        valid_from=VALID_FROM,
        defaults={
            "min_amount": 3_000_000,
            "amount_off": 200,
            "label": "e-Net割引",
            "note": "e-Net保証で前払金300万円以上のお申込みは保証料を200円割引（パンフレット）",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("applications", "FeeRate").objects.filter(valid_from=VALID_FROM).delete()
    apps.get_model("applications", "FeeDiscount").objects.filter(valid_from=VALID_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
