"""The demo rate table 「デモ用の料率」, clearly labelled: no official 前払金保証 or 契約保証 rate table
was published, so a production database starts with none and staff enter the real one in admin
(保証料率). ``seed_demo`` loads this one so that the demo quotes a fee.

中間前払金保証 is the published flat 0.065%; the e-Net discount is the brochure's 200 yen for advances
of 3,000,000 yen or more.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from applications.models import FeeDiscount, FeeRate
from guarantees.models import GuaranteeKind, Orderer

DEMO_NOTE = "デモ用の料率（公式の料率表ではありません）"
INTERIM_NOTE = "中間前払金保証料 0.065%（公表値）"
VALID_FROM = dt.date(2022, 4, 1)

# kind -> orderer kind -> [(amount_from, rate_percent)]
BANDS: dict[str, dict[str, list[tuple[int, str]]]] = {
    GuaranteeKind.ADVANCE: {
        Orderer.Kind.NATIONAL: [(0, "0.060"), (50_000_000, "0.050"), (200_000_000, "0.040")],
        Orderer.Kind.PREFECTURE: [(0, "0.065"), (50_000_000, "0.055"), (200_000_000, "0.045")],
        Orderer.Kind.MUNICIPALITY: [(0, "0.070"), (50_000_000, "0.060"), (200_000_000, "0.050")],
        Orderer.Kind.OTHER: [(0, "0.080"), (50_000_000, "0.070"), (200_000_000, "0.060")],
    },
    GuaranteeKind.CONTRACT: {
        Orderer.Kind.NATIONAL: [(0, "0.030"), (50_000_000, "0.025"), (200_000_000, "0.020")],
        Orderer.Kind.PREFECTURE: [(0, "0.035"), (50_000_000, "0.030"), (200_000_000, "0.025")],
        Orderer.Kind.MUNICIPALITY: [(0, "0.040"), (50_000_000, "0.035"), (200_000_000, "0.030")],
        Orderer.Kind.OTHER: [(0, "0.045"), (50_000_000, "0.040"), (200_000_000, "0.035")],
    },
    GuaranteeKind.INTERIM_ADVANCE: {orderer_kind: [(0, "0.065")] for orderer_kind in Orderer.Kind.values},
}


@transaction.atomic
def seed_demo_rates() -> None:
    """The demo rate table, in force from 2022-04-01, and the e-Net discount. Idempotent."""
    for kind, by_orderer in BANDS.items():
        for orderer_kind, bands in by_orderer.items():
            for amount_from, rate in bands:
                FeeRate.objects.get_or_create(
                    kind=kind,
                    orderer_kind=orderer_kind,
                    valid_from=VALID_FROM,
                    amount_from=amount_from,
                    defaults={
                        "rate_percent": Decimal(rate),
                        "note": INTERIM_NOTE if kind == GuaranteeKind.INTERIM_ADVANCE else DEMO_NOTE,
                    },
                )
    FeeDiscount.objects.get_or_create(
        kind=GuaranteeKind.ADVANCE,
        valid_from=VALID_FROM,
        defaults={
            "min_amount": 3_000_000,
            "amount_off": 200,
            "label": "e-Net割引",
            "note": "e-Net保証で前払金300万円以上のお申込みは保証料を200円割引（パンフレット）",
        },
    )
