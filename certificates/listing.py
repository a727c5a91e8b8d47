"""The rows of 保証工事一覧: what each shows, computed once in Python, and what higher apps add to them.

The template renders each row from plain values (strings, booleans, URLs): no filter, template tag,
translation or query runs inside the row loop, which made most of the page's cost when each cell
was formatted in the template.

The list belongs to certificates, which may not import the apps above it; an app above registers a
loader here when it starts (``AppConfig.ready``), and the view calls every loader once per page with
the page's guarantee ids and sets each result on its row (``row.<name>``, None when absent).
So the page costs one query per loader whatever its length.

    notifications: ``submission`` — the latest 提出済 / 受領確認済 state (notifications.selectors)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from guarantees.formatting import slash_date, yen
from guarantees.models import KIND_SHORT_LABELS, Guarantee
from guarantees.status import guarantee_status

#: name → loader(guarantee ids) → {guarantee id: value}
RowLoader = Callable[[Iterable[int]], Mapping[int, Any]]
_loaders: dict[str, RowLoader] = {}


def register_row_loader(name: str, loader: RowLoader) -> None:
    """Add ``row.<name>`` to every row of the list (idempotent per name)."""
    _loaders[name] = loader


def list_rows(
    guarantees: Sequence[Guarantee], *, today: dt.date, detail_prefix: str, key_prefix: str
) -> list[dict[str, Any]]:
    """One dict per guarantee with every value its row prints, and what the loaders add.

    ``detail_prefix`` and ``key_prefix`` are the certificate screen's and the key screen's paths
    without the number (one ``reverse()`` per page instead of two per row)."""
    mediums = {value: str(label) for value, label in Guarantee.Medium.choices}
    kinds = {kind: str(label) for kind, label in KIND_SHORT_LABELS.items()}
    ids = [guarantee.pk for guarantee in guarantees]
    extras = {name: loader(ids) if ids else {} for name, loader in _loaders.items()}
    rows = []
    for guarantee in guarantees:
        state = guarantee_status(guarantee, today=today)
        total, target = guarantee.contract_amount_total, guarantee.contract_amount_target
        number = guarantee.number
        row = {
            "medium": guarantee.medium,
            "medium_label": mediums[guarantee.medium],
            "issued_on": slash_date(guarantee.latest_certificate_issued_on),
            "number": number,
            "detail_url": f"{detail_prefix}{number}/",
            "out_of_force": "" if state.in_force else state.label,
            "kind": kinds[guarantee.kind],
            "is_change": guarantee.latest_certificate_is_change,
            "orderer": guarantee.orderer.title,
            "work_name": guarantee.work_name,
            "contract_total": yen(total),
            "contract_target": yen(target) if target != total else "",
            "guarantee_amount": yen(guarantee.guarantee_amount),
            "key_url": f"{key_prefix}{number}/" if guarantee.is_electronic else "",
        }
        for name, values in extras.items():
            row[name] = values.get(guarantee.pk)
        rows.append(row)
    return rows
