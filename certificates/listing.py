"""What higher apps add to the rows of 保証工事一覧, loaded by the view in one query each.

The list belongs to certificates, which may not import the apps above it; an app above registers a
loader here when it starts (``AppConfig.ready``), and the view calls every loader once per page with
the page's guarantee ids and sets each result on its row (``guarantee.<name>``, None when absent).
So the page costs one query per loader whatever its length, and the template renders plain
attributes: no query and no template tag runs inside the row loop.

    notifications: ``submission`` — the latest 提出済 / 受領確認済 state (notifications.selectors)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

#: name → loader(guarantee ids) → {guarantee id: value}
RowLoader = Callable[[Iterable[int]], Mapping[int, Any]]
_loaders: dict[str, RowLoader] = {}


def register_row_loader(name: str, loader: RowLoader) -> None:
    """Add ``guarantee.<name>`` to every row of the list (idempotent per name)."""
    _loaders[name] = loader


def load_row_extras(rows: Sequence[Any]) -> None:
    """Call each registered loader once for ``rows`` and set its values on them."""
    ids = [row.pk for row in rows]
    for name, loader in _loaders.items():
        values = loader(ids) if ids else {}
        for row in rows:
            setattr(row, name, values.get(row.pk))
