"""Generated guarantees for benchmarks (``seed_demo --guarantees N``): contractors, orderers and
guarantees with their first certificate versions and, for the electronic ones, keys that verify."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from types import SimpleNamespace
from typing import cast

from django.db import connection, transaction
from django.utils import timezone

from authkeys import keys
from authkeys.models import AuthKey
from certificates.models import Certificate
from certificates.services import certificate_snapshot
from guarantees.models import (
    KIND_NUMBER_CODES,
    Bank,
    Branch,
    Contractor,
    Guarantee,
    GuaranteeKind,
    GuaranteeNumberSequence,
    Orderer,
)
from portal import bulk

from .brochure import ADVANCE_NUMBER, CONTRACT_NUMBER, world

_PLACES = [
    "国道2号",
    "県道川内線",
    "市道中央通り",
    "一級河川大淀川",
    "鹿児島港",
    "那覇空港",
    "阿蘇山麓",
    "松山城址",
]
_WORKS = [
    "道路改良工事",
    "橋梁補修工事",
    "河川護岸工事",
    "舗装修繕工事",
    "トンネル補強工事",
    "砂防堰堤工事",
    "排水路整備工事",
]
_COMPANIES = [
    "九州建設",
    "南国土木",
    "瀬戸内工業",
    "阿蘇組",
    "桜島建設",
    "有明開発",
    "日向道路",
    "錦江湾建設",
]
_OFFICES = ["本店", "本町支店", "北支店", "南営業所", "東営業所"]
_BANKS = [
    ("三菱UFJ銀行", "東京支店"),
    ("鹿児島銀行", "本店営業部"),
    ("福岡銀行", "本店営業部"),
    ("宮崎銀行", "本店営業部"),
]


def seed_generated(
    *,
    count: int,
    demo_share: int = 0,
    seed: int = 2022,
    batch_size: int = 20_000,
    rebuild_indexes_from: int = 20_000,
) -> int:
    """Add generated guarantees until there are ``count`` beyond the brochure's, with certificates
    and keys. ``demo_share`` of them go to the demo contractor (for the list-page benchmark).

    Bulk loading (portal/bulk.py), in one transaction: rows are plain dicts streamed into PostgreSQL
    ``COPY`` as they are made, primary keys reserved in one round trip, numbers taken by moving
    each number sequence forward once per batch, the certificate's printed fields from
    ``certificate_snapshot`` (the function every certificate uses) and the keys' digests and
    ciphertexts computed as the portal computes them. The guarantees go first; their certificates
    and keys are made by threads of this process while PostgreSQL builds the guarantees' indexes,
    then copied. Returns how many were added.
    """
    demo_world = world()
    existing = Guarantee.objects.exclude(number__in=[ADVANCE_NUMBER, CONTRACT_NUMBER]).count()
    missing = count - existing
    if missing <= 0:
        return 0
    rng = random.Random(seed + existing)
    # the issue dates draw from their own generator: the next batch is drawn from rng by another
    # thread meanwhile, and two threads on one generator would draw in no fixed order
    issued_rng = random.Random(f"{seed + existing}:issued")
    today = timezone.localdate()
    added = 0
    # One transaction, committed without waiting for the WAL flush (a failed seed is simply run
    # again); for a large load the secondary indexes and foreign keys of each table are built once
    # it is loaded.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        branches = list(Branch.objects.select_related("company"))
        contractors = _generated_contractors(max(missing // 50, 1))
        orderers = _generated_orderers(200, rng)
        banks = [Bank.objects.get_or_create(name=n, branch_name=b)[0] for n, b in _BANKS]
        demo_left = max(
            demo_share
            - demo_world.contractor.guarantees.exclude(number__in=[ADVANCE_NUMBER, CONTRACT_NUMBER]).count(),
            0,
        )
        rebuilt = missing >= rebuild_indexes_from
        generated: list[_Generated] = []
        sizes = [min(batch_size, missing - start) for start in range(0, missing, batch_size)]

        def made(size: int, demo_left: int) -> list[_Generated]:
            with bulk.queries_refused():
                return _generated_rows(
                    size,
                    rng=rng,
                    today=today,
                    branches=branches,
                    orderers=orderers,
                    banks=banks,
                    contractors=contractors,
                    demo=demo_world.contractor,
                    demo_left=demo_left,
                )

        with (
            bulk.indexes_built_after(*((Certificate, AuthKey) if rebuilt else ())),
            ExitStack() as ahead,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="generated guarantees") as maker,
        ):
            with bulk.indexes_built_after(*((Guarantee,) if rebuilt else ())):
                upcoming = maker.submit(made, sizes[0], demo_left)
                for index, size in enumerate(sizes):
                    rows = upcoming.result()
                    demo_left = max(demo_left - size, 0)
                    _numbered(rows, rng=issued_rng)
                    if index + 1 < len(sizes):
                        # The next batch is made (the random draws in the same order) while this one
                        # is copied.
                        upcoming = maker.submit(made, sizes[index + 1], demo_left)
                    bulk.copy_rows(Guarantee, (item.row for item in rows))
                    generated.extend(rows)
                    added += size
                # The certificates and keys are made in threads of their own while PostgreSQL
                # builds the guarantees' indexes and foreign keys (leaving this block), and copied
                # once it has.
                electronic = [
                    item.row for item in generated if item.row["medium"] == Guarantee.Medium.ELECTRONIC
                ]
                certificates = ahead.enter_context(bulk.made_ahead(Certificate, _certificates(generated)))
                authkeys = ahead.enter_context(bulk.made_ahead(AuthKey, _keys(electronic)))
            # Fresh statistics for the planner, as the next autovacuum round would gather them.
            bulk.analyze(Contractor, Orderer, Guarantee)
            certificates.copy()
            authkeys.copy()
        bulk.analyze(Certificate, AuthKey)
    return added


@dataclass
class _Generated:
    """One generated guarantee before it is written: its row and the objects it points to."""

    row: dict[str, object]
    branch: Branch
    contractor: Contractor
    orderer: Orderer
    bank: Bank | None


def _generated_rows(
    size: int,
    *,
    rng: random.Random,
    today: dt.date,
    branches: list[Branch],
    orderers: list[Orderer],
    banks: list[Bank],
    contractors: list[Contractor],
    demo: Contractor,
    demo_left: int,
) -> list[_Generated]:
    kinds = rng.choices(
        [GuaranteeKind.ADVANCE, GuaranteeKind.CONTRACT, GuaranteeKind.INTERIM_ADVANCE], [6, 3, 1], k=size
    )
    generated = []
    for index, kind in enumerate(kinds):
        branch = rng.choice(branches)
        orderer = rng.choice(orderers)
        total = rng.randrange(5_000_000, 3_000_000_000, 10_000)
        target = total if rng.random() < 0.8 else total * rng.randrange(3, 10) // 10
        if kind == GuaranteeKind.CONTRACT:
            amount = -(-total // 10)
        elif kind == GuaranteeKind.INTERIM_ADVANCE:
            amount = target * 2 // 10
        else:
            amount = target * 4 // 10
        concluded = today - dt.timedelta(days=rng.randrange(0, 1500))
        end = concluded + dt.timedelta(days=rng.randrange(90, 720))
        contractor = demo if index < demo_left else rng.choice(contractors)
        bank = rng.choice(banks) if kind != GuaranteeKind.CONTRACT else None
        medium = (
            Guarantee.Medium.ELECTRONIC
            if orderer.has_adopted_e_guarantee_by(concluded)
            else Guarantee.Medium.PAPER
        )
        row: dict[str, object] = {
            "id": 0,
            "number": "",
            "kind": str(kind),
            "contractor_id": contractor.pk,
            "orderer_id": orderer.pk,
            "branch_id": branch.pk,
            "bank_id": bank.pk if bank else None,
            "work_name": f"{rng.choice(_PLACES)} {rng.choice(_WORKS)} その{rng.randrange(1, 9)}",
            "contract_amount_total": total,
            "contract_amount_target": target,
            "guarantee_amount": amount,
            "concluded_on": concluded,
            "guarantee_period_end": end,
            "construction_end_date": end,
            "medium": str(medium),
        }
        generated.append(_Generated(row, branch, contractor, orderer, bank))
    return generated


def _numbered(generated: list[_Generated], *, rng: random.Random) -> None:
    """Give one batch of guarantees their numbers and reserved ids, each with its first certificate
    version's number, date and mark (the version itself is written after)."""
    _number_in_bulk([item.row for item in generated])
    for item, pk in zip(generated, bulk.reserve_ids(Guarantee, len(generated)), strict=True):
        # The first version is the latest: the guarantee carries its number, date and mark.
        issued_on = cast(dt.date, item.row["concluded_on"]) + dt.timedelta(days=rng.randrange(1, 10))
        item.row.update(
            id=pk,
            latest_certificate_version=1,
            latest_certificate_issued_on=issued_on,
            latest_certificate_is_change=False,
        )


def _certificates(generated: list[_Generated]) -> Iterator[dict[str, object]]:
    """Version 1 of each guarantee's certificate, printed by ``certificate_snapshot`` (the function
    every certificate uses)."""
    for item in generated:
        row = item.row
        # What certificate_snapshot reads of a guarantee, without building a model per row.
        view = SimpleNamespace(
            **row,
            branch=item.branch,
            contractor=item.contractor,
            orderer=item.orderer,
            bank=item.bank,
        )
        yield {
            "guarantee_id": row["id"],
            "version": 1,
            "certified_on": row["concluded_on"],
            "issued_on": row["latest_certificate_issued_on"],
            **certificate_snapshot(cast(Guarantee, view)),
        }


def _keys(electronic: list[dict[str, object]], chunk: int = 2000) -> Iterator[dict[str, object]]:
    """A new key for each electronic guarantee, with its digest and ciphertext as the portal makes
    them (``authkeys.keys``), sealed a chunk at a time as COPY reads."""
    for start in range(0, len(electronic), chunk):
        rows = electronic[start : start + chunk]
        numbers = [cast(str, row["number"]) for row in rows]
        sealed = keys.seal_keys(contract_numbers=numbers, keys=keys.generate_keys(len(numbers)))
        for row, (digest, ciphertext) in zip(rows, sealed, strict=True):
            yield {"guarantee_id": row["id"], "digest": digest, "ciphertext": ciphertext}


def _number_in_bulk(rows: list[dict[str, object]]) -> None:
    """Give each row its 保証契約番号, moving each (branch, kind) sequence forward once."""
    wanted: dict[tuple[int, str], list[dict[str, object]]] = {}
    for row in rows:
        wanted.setdefault((cast(int, row["branch_id"]), cast(str, row["kind"])), []).append(row)
    for (branch_id, kind), group in wanted.items():
        GuaranteeNumberSequence.objects.get_or_create(branch_id=branch_id, kind=kind)
        sequence = (
            GuaranteeNumberSequence.objects.select_for_update()
            .select_related("branch")
            .get(branch_id=branch_id, kind=kind)
        )
        if sequence.last_serial + len(group) > 99999:
            raise ValueError(f"not enough numbers left for branch {sequence.branch.code} {kind}")
        prefix = f"{sequence.branch.code}{KIND_NUMBER_CODES[kind]}"
        for offset, row in enumerate(group, start=1):
            row["number"] = f"{prefix}{sequence.last_serial + offset:05d}"
        sequence.last_serial += len(group)
        sequence.save(update_fields=["last_serial"])


def _generated_contractors(count: int) -> list[Contractor]:
    existing = Contractor.objects.filter(address="（生成データ）").count()
    wanted = range(existing, count)
    rows = [
        {
            "id": pk,
            "company_name": f"株式会社{_COMPANIES[i % len(_COMPANIES)]}{i // len(_COMPANIES) + 1:04d}",
            "office_name": _OFFICES[i % len(_OFFICES)],
            "address": "（生成データ）",
            "notice_emails": f"notice{i:05d}@contractor.example.jp",
        }
        for i, pk in zip(wanted, bulk.reserve_ids(Contractor, len(wanted)), strict=True)
    ]
    bulk.copy_rows(Contractor, rows)
    return list(Contractor.objects.filter(address="（生成データ）").order_by("pk"))


def _generated_orderers(count: int, rng: random.Random) -> list[Orderer]:
    existing = Orderer.objects.filter(organisation__startswith="（生成）").count()
    wanted = range(existing, count)
    rows = []
    for i, pk in zip(wanted, bulk.reserve_ids(Orderer, len(wanted)), strict=True):
        adopted = rng.choice(
            [None, dt.date(2022, 5, 9), dt.date(2023, 4, 1), dt.date(2024, 2, 1), dt.date(2025, 4, 1)]
        )
        rows.append(
            {
                "id": pk,
                "title": f"第{i + 1:03d}市長",
                "organisation": f"（生成）第{i + 1:03d}市",
                "kind": str(Orderer.Kind.MUNICIPALITY),
                "e_guarantee_adopted_on": adopted,
            }
        )
    bulk.copy_rows(Orderer, rows)
    return list(Orderer.objects.filter(organisation__startswith="（生成）").order_by("pk"))
