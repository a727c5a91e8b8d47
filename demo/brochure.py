"""The brochure's example: its guarantor, branches, contractor, orderers, users and two guarantees
with their certificates and keys, exactly as the brochure shows them. Used by ``seed_demo``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import get_hasher, make_password
from django.db import transaction

from accounts.models import User
from authkeys.models import AuthKey
from certificates.models import Certificate
from certificates.services import certificate_issue
from guarantees.formatting import JAPAN
from guarantees.models import (
    AuditEvent,
    Bank,
    Branch,
    Contractor,
    Guarantee,
    GuaranteeKind,
    GuarantorCompany,
    Orderer,
    OrdererDepartment,
)
from guarantees.services import guarantee_register
from notifications.models import NoticeRun, RegistrationNotice, RegistrationNoticeItem
from notifications.services import notice_cutoff

DEMO_LOGIN = "wjcs-demo"
DEMO_PASSWORD = "enet-demo-2024"  # noqa: S105 - the brochure demo's published password
STAFF_LOGIN = "staff"
STAFF_PASSWORD = "staff-demo-2024"  # noqa: S105
ADVANCE_NUMBER = "1070000473"
ADVANCE_KEY = "K5VL4+5QG_KJ"
CONTRACT_NUMBER = "1070200236"
CONTRACT_KEY = "R7MX3_P9TD+W"

#: Django's PBKDF2-SHA256 hashes of the two published demo passwords at Django's iteration count,
#: made once with ``get_hasher("pbkdf2_sha256").encode(password, salt)``: hashing them in the seed
#: cost ``seed_demo`` Django's 1,500,000 iterations twice (≈1.5 s). They are what ``set_password``
#: stores, so the login checks them (and upgrades them on a later Django) as any account's. A fixed
#: salt is no loss: the passwords themselves are published. Used only while they are what
#: ``make_password`` would make now (``_password_hash``); a test fails when Django's count moves on.
PUBLISHED_PASSWORD_HASHES = {
    DEMO_PASSWORD: "pbkdf2_sha256$1500000$7DkBJVjS5JK802KxKiRchy$"
    "M94dK1NB9tZWb3UYJXr+UqVflAPwBgcOdk13M25Q/7Q=",
    STAFF_PASSWORD: "pbkdf2_sha256$1500000$zH4P3Wi13sqnyFX8lNMoKI$"
    "ciPd6+Y1nFP9rjBCozNkaVpMH1v0Xio5E5iPom4hE6c=",
}

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


def world() -> DemoWorld:
    """The guarantor, its branches, the demo contractor, orderer and bank (get or create)."""
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


def _password_hash(password: str) -> str:
    """What ``make_password(password)`` stores, without hashing a published demo password again
    while the preferred hasher is the one its hash was made with, at the same cost."""
    published = PUBLISHED_PASSWORD_HASHES.get(password)
    if published is not None:
        preferred = get_hasher()
        made_by_preferred = published.partition("$")[0] == preferred.algorithm
        if made_by_preferred and not preferred.must_update(published):
            return published
    return make_password(password)


def _user(*, username: str, password: str, **fields: object) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, password=_password_hash(password), **fields)
        user.save()
    return user


@transaction.atomic
def seed_brochure() -> DemoWorld:
    """The brochure's example exactly: two guarantees of 国道〇号線 道路改良工事 その1, with the
    brochure's dates, and its own orderer 中種子町 with its 事業担当課. Idempotent.

    The two certificates' signed PDFs are rendered and stored on their first download (by the
    contractor, an orderer after verifying, or staff in admin), not here: ``make run`` has no
    broker, so the render task would run inside ``seed_demo`` and cost it about 3 s
    (docs/decisions.md)."""
    demo_world = world()
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
        contractor=demo_world.contractor,
        must_change_password=False,
        email="hosho@nishinihon-hosho-kensetsu.example.jp",
    )
    common = {
        "contractor": demo_world.contractor,
        "orderer": demo_world.orderer,
        "orderer_department": demo_world.orderer.departments.first(),
        "branch": demo_world.tokyo,
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
            bank=demo_world.bank,
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
            queue_pdf=False,
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
            queue_pdf=False,
        )
        _as_in_the_brochure(contract)
    return demo_world
