"""The brochure's example, and generated guarantees for benchmarks. Used by ``seed_demo``."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from types import SimpleNamespace
from typing import cast

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .formatting import JAPAN
from .models import (
    KIND_NUMBER_CODES,
    AuditEvent,
    Bank,
    Branch,
    Contractor,
    Guarantee,
    GuaranteeKind,
    GuaranteeNumberSequence,
    GuarantorCompany,
    Orderer,
    OrdererDepartment,
)

DEMO_LOGIN = "wjcs-demo"
DEMO_PASSWORD = "enet-demo-2024"  # noqa: S105 - the brochure demo's published password
STAFF_LOGIN = "staff"
STAFF_PASSWORD = "staff-demo-2024"  # noqa: S105
ADVANCE_NUMBER = "1070000473"
ADVANCE_KEY = "K5VL4+5QG_KJ"
CONTRACT_NUMBER = "1070200236"
CONTRACT_KEY = "R7MX3_P9TD+W"

#: The brochure's guarantees were registered and issued on 2022-01-28 and announced in that day's
#: 16:00 notice: the demo records carry those times, so no notice of today calls them 新規.
BROCHURE_REGISTERED_AT = dt.datetime(2022, 1, 28, 10, 0, tzinfo=JAPAN)
BROCHURE_NOTICE_DATE = dt.date(2022, 1, 28)

#: The brochure's own orderer: e-guarantees for contracts concluded from 令和6年2月1日.
NAKATANE_TITLE = "中種子町長"
NAKATANE_ADOPTED_ON = dt.date(2024, 2, 1)
#: Its 事業担当課: each receives the authentication keys of its own works by e-mail.
NAKATANE_DEPARTMENTS = [
    ("建設課", "kensetsu@town.nakatane.example.lg.jp"),
    ("経済課", "keizai@town.nakatane.example.lg.jp"),
    ("企画課", "kikaku@town.nakatane.example.lg.jp"),
    ("教育委員会 教育総務課", "kyoiku@town.nakatane.example.lg.jp"),
]


@dataclass
class DemoWorld:
    company: GuarantorCompany
    tokyo: Branch
    contractor: Contractor
    orderer: Orderer
    bank: Bank


def _world() -> DemoWorld:
    company, _ = GuarantorCompany.objects.get_or_create(
        name="西日本建設業保証株式会社",
        defaults={
            "address": "大阪市西区西船場二丁目1番2号",
            "representative_title": "取締役社長",
            "representative_name": "眞田 一",
            "terms_url": "https://www.wjgs.net/",
        },
    )
    tokyo, _ = Branch.objects.get_or_create(
        code="107",
        defaults={
            "company": company,
            "name": "東京支店",
            "address": "東京都中央区日本橋3丁目8番14号",
            "tel": "03-6848-2671",
            "fax": "0320-504133",
        },
    )
    Branch.objects.get_or_create(
        code="146",
        defaults={
            "company": company,
            "name": "鹿児島支店",
            "address": "鹿児島市山下町9番1号",
            "tel": "099-251-9020",
            "fax": "099-251-9030",
        },
    )
    contractor, _ = Contractor.objects.get_or_create(
        company_name="株式会社西日本保証建設",
        office_name="本町支店",
        defaults={
            "address": "大阪市中央区本町一丁目1番1号",
            "notice_emails": "hosho@nishinihon-hosho-kensetsu.example.jp",
        },
    )
    orderer, _ = Orderer.objects.get_or_create(
        title="支出負担行為担当官 近畿地方整備局長",
        defaults={
            "organisation": "近畿地方整備局",
            "kind": Orderer.Kind.NATIONAL,
            "e_guarantee_adopted_on": dt.date(2021, 10, 1),
        },
    )
    OrdererDepartment.objects.get_or_create(
        orderer=orderer, name="総務部契約課", defaults={"email": "keiyaku@kkr.example.go.jp"}
    )
    bank, _ = Bank.objects.get_or_create(name="三菱UFJ銀行", branch_name="東京支店")
    return DemoWorld(company=company, tokyo=tokyo, contractor=contractor, orderer=orderer, bank=bank)


def _nakatane() -> Orderer:
    """中種子町 with its 事業担当課, as the brochure of the 鹿児島支店 describes it."""
    orderer, _ = Orderer.objects.get_or_create(
        title=NAKATANE_TITLE,
        defaults={
            "organisation": "中種子町",
            "kind": Orderer.Kind.MUNICIPALITY,
            "e_guarantee_adopted_on": NAKATANE_ADOPTED_ON,
        },
    )
    for name, email in NAKATANE_DEPARTMENTS:
        OrdererDepartment.objects.get_or_create(orderer=orderer, name=name, defaults={"email": email})
    return orderer


def _as_in_the_brochure(guarantee: Guarantee) -> None:
    """Give a freshly loaded brochure guarantee the brochure's times: registered, its certificate and
    key issued on 2022-01-28, announced in that day's 16:00 notice (recorded, never mailed again)."""
    from authkeys.models import AuthKey
    from certificates.models import Certificate
    from notifications.models import NoticeRun, RegistrationNotice, RegistrationNoticeItem
    from notifications.services import notice_cutoff

    at = BROCHURE_REGISTERED_AT
    Guarantee.objects.filter(pk=guarantee.pk).update(created_at=at, updated_at=at)
    Certificate.objects.filter(guarantee=guarantee).update(registered_at=at)
    AuthKey.objects.filter(guarantee=guarantee).update(created_at=at)
    AuditEvent.objects.filter(guarantee=guarantee).update(created_at=at)
    cutoff = notice_cutoff(notice_date=BROCHURE_NOTICE_DATE)
    run, created = NoticeRun.objects.get_or_create(
        notice_date=BROCHURE_NOTICE_DATE,
        trigger=NoticeRun.Trigger.SCHEDULE,
        defaults={"cutoff": cutoff},
    )
    if created:
        NoticeRun.objects.filter(pk=run.pk).update(started_at=cutoff)
    notice, _ = RegistrationNotice.objects.get_or_create(
        run=run,
        contractor=guarantee.contractor,
        defaults={
            "notice_date": BROCHURE_NOTICE_DATE,
            "recipients": guarantee.contractor.notice_email_list,
        },
    )
    for certificate in Certificate.objects.filter(
        guarantee=guarantee, medium=Guarantee.Medium.ELECTRONIC, registration_notice_item__isnull=True
    ):
        RegistrationNoticeItem.objects.create(notice=notice, certificate=certificate)
    NoticeRun.objects.filter(pk=run.pk).update(
        certificates=RegistrationNoticeItem.objects.filter(notice__run=run).count(),
        notices=RegistrationNotice.objects.filter(run=run).count(),
        messages=0,
    )


def _user(*, username: str, password: str, **fields: object) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, **fields)
        user.set_password(password)
        user.save()
    return user


@transaction.atomic
def seed_brochure() -> DemoWorld:
    """The brochure's example exactly: two guarantees of 国道〇号線 道路改良工事 その1, with the
    brochure's dates, and its own orderer 中種子町 with its 事業担当課. Idempotent."""
    from certificates.services import certificate_issue  # certificates builds on guarantees

    from .services import guarantee_register

    world = _world()
    _nakatane()
    staff = _user(
        username=STAFF_LOGIN,
        password=STAFF_PASSWORD,
        is_staff=True,
        is_superuser=True,
        must_change_password=False,
        email="staff@wjcs.example.jp",
    )
    _user(
        username=DEMO_LOGIN,
        password=DEMO_PASSWORD,
        contractor=world.contractor,
        must_change_password=False,
        email="hosho@nishinihon-hosho-kensetsu.example.jp",
    )
    common = {
        "contractor": world.contractor,
        "orderer": world.orderer,
        "orderer_department": world.orderer.departments.first(),
        "branch": world.tokyo,
        "work_name": "国道〇号線 道路改良工事 その1",
        "concluded_on": dt.date(2022, 1, 20),
        "guarantee_period_end": dt.date(2023, 3, 15),
        "construction_end_date": dt.date(2023, 3, 15),
        "registered_by": staff,
    }
    advance = Guarantee.objects.filter(number=ADVANCE_NUMBER).first()
    if advance is None:
        advance = guarantee_register(
            kind=GuaranteeKind.ADVANCE,
            number=ADVANCE_NUMBER,
            bank=world.bank,
            contract_amount_total=2_172_720_000,
            contract_amount_target=616_296_000,
            guarantee_amount=145_670_000,
            **common,  # type: ignore[arg-type]
        )
        certificate_issue(
            guarantee=advance,
            issued_by=staff,
            certified_on=dt.date(2022, 1, 20),
            issued_on=dt.date(2022, 1, 28),
            key=ADVANCE_KEY,
        )
        _as_in_the_brochure(advance)
    if not Guarantee.objects.filter(number=CONTRACT_NUMBER).exists():
        contract = guarantee_register(
            kind=GuaranteeKind.CONTRACT,
            number=CONTRACT_NUMBER,
            parent=advance,
            contract_amount_total=2_172_720_000,
            contract_amount_target=2_172_720_000,
            guarantee_amount=217_272_000,
            **common,  # type: ignore[arg-type]
        )
        certificate_issue(
            guarantee=contract,
            issued_by=staff,
            certified_on=dt.date(2022, 1, 20),
            issued_on=dt.date(2022, 1, 28),
            key=CONTRACT_KEY,
        )
        _as_in_the_brochure(contract)
    return world


# --- Generated guarantees for benchmarks -----------------------------------------------------------

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

    Bulk loading (guarantees/bulk.py): rows are plain dicts copied in with PostgreSQL ``COPY``,
    primary keys reserved in one round trip, numbers taken by moving each number sequence forward
    once per batch, the certificate's printed fields from ``certificate_snapshot`` (the function
    every certificate uses) and the keys' digests and ciphertexts computed in one pass.
    Returns how many were added.
    """
    world = _world()
    existing = Guarantee.objects.exclude(number__in=[ADVANCE_NUMBER, CONTRACT_NUMBER]).count()
    missing = count - existing
    if missing <= 0:
        return 0
    rng = random.Random(seed + existing)
    branches = list(Branch.objects.select_related("company"))
    contractors = _generated_contractors(max(missing // 50, 1))
    orderers = _generated_orderers(200, rng)
    banks = [Bank.objects.get_or_create(name=n, branch_name=b)[0] for n, b in _BANKS]
    demo_left = max(
        demo_share
        - world.contractor.guarantees.exclude(number__in=[ADVANCE_NUMBER, CONTRACT_NUMBER]).count(),
        0,
    )
    today = timezone.localdate()
    from authkeys.models import AuthKey
    from certificates.models import Certificate

    from . import bulk

    added = 0
    # One transaction; for a large load the secondary indexes are built once at the end.
    with transaction.atomic():
        indexed = (Guarantee, Certificate, AuthKey) if missing >= rebuild_indexes_from else ()
        with bulk.indexes_built_after(*indexed):
            while added < missing:
                size = min(batch_size, missing - added)
                rows = _generated_rows(
                    size,
                    rng=rng,
                    today=today,
                    branches=branches,
                    orderers=orderers,
                    banks=banks,
                    contractors=contractors,
                    demo=world.contractor,
                    demo_left=demo_left,
                )
                demo_left = max(demo_left - size, 0)
                _load_generated(rows, rng=rng)
                added += size
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


def _load_generated(generated: list[_Generated], *, rng: random.Random) -> None:
    """Write one batch: guarantees, their first certificate versions, the electronic ones' keys."""
    from authkeys import keys
    from authkeys.models import AuthKey
    from certificates.models import Certificate
    from certificates.services import certificate_snapshot

    from . import bulk

    _number_in_bulk([item.row for item in generated])
    for item, pk in zip(generated, bulk.reserve_ids(Guarantee, len(generated)), strict=True):
        item.row["id"] = pk
    issued = []
    for item in generated:
        # The first version is the latest: the guarantee carries its number, date and mark.
        issued_on = cast(dt.date, item.row["concluded_on"]) + dt.timedelta(days=rng.randrange(1, 10))
        issued.append(issued_on)
        item.row.update(
            latest_certificate_version=1,
            latest_certificate_issued_on=issued_on,
            latest_certificate_is_change=False,
        )
    bulk.copy_rows(Guarantee, [item.row for item in generated])

    certificates = []
    electronic = []
    for item, issued_on in zip(generated, issued, strict=True):
        row = item.row
        # What certificate_snapshot reads of a guarantee, without building a model per row.
        view = SimpleNamespace(
            **row,
            branch=item.branch,
            contractor=item.contractor,
            orderer=item.orderer,
            bank=item.bank,
        )
        concluded = cast(dt.date, row["concluded_on"])
        certificates.append(
            {
                "guarantee_id": row["id"],
                "version": 1,
                "certified_on": concluded,
                "issued_on": issued_on,
                **certificate_snapshot(cast(Guarantee, view)),
            }
        )
        if row["medium"] == Guarantee.Medium.ELECTRONIC:
            electronic.append(row)
    bulk.copy_rows(Certificate, certificates)
    numbers = [cast(str, row["number"]) for row in electronic]
    sealed = keys.seal_keys(contract_numbers=numbers, keys=keys.generate_keys(len(numbers)))
    bulk.copy_rows(
        AuthKey,
        [
            {"guarantee_id": row["id"], "digest": digest, "ciphertext": ciphertext}
            for row, (digest, ciphertext) in zip(electronic, sealed, strict=True)
        ],
    )


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
    existing = list(Contractor.objects.filter(address="（生成データ）"))
    new = [
        Contractor(
            company_name=f"株式会社{_COMPANIES[i % len(_COMPANIES)]}{i // len(_COMPANIES) + 1:04d}",
            office_name=_OFFICES[i % len(_OFFICES)],
            address="（生成データ）",
            notice_emails=f"notice{i:05d}@contractor.example.jp",
        )
        for i in range(len(existing), count)
    ]
    Contractor.objects.bulk_create(new, batch_size=1000)
    return list(Contractor.objects.filter(address="（生成データ）"))


def _generated_orderers(count: int, rng: random.Random) -> list[Orderer]:
    existing = list(Orderer.objects.filter(organisation__startswith="（生成）"))
    new = []
    for i in range(len(existing), count):
        adopted = rng.choice(
            [None, dt.date(2022, 5, 9), dt.date(2023, 4, 1), dt.date(2024, 2, 1), dt.date(2025, 4, 1)]
        )
        new.append(
            Orderer(
                title=f"第{i + 1:03d}市長",
                organisation=f"（生成）第{i + 1:03d}市",
                kind=Orderer.Kind.MUNICIPALITY,
                e_guarantee_adopted_on=adopted,
            )
        )
    Orderer.objects.bulk_create(new)
    return list(Orderer.objects.filter(organisation__startswith="（生成）"))
