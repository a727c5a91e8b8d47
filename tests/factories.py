"""factory_boy factories for the guarantee domain. Persona fixtures live in conftest.py."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from guarantees.models import (
    Bank,
    Branch,
    Contractor,
    Guarantee,
    GuaranteeKind,
    GuarantorCompany,
    Orderer,
    OrdererDepartment,
)


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = GuarantorCompany
        django_get_or_create = ("name",)

    name = "西日本建設業保証株式会社"
    address = "大阪市西区西船場二丁目1番2号"
    representative_title = "取締役社長"
    representative_name = "眞田 一"
    terms_url = "https://www.wjgs.net/"


class BranchFactory(DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    company = factory.SubFactory(CompanyFactory)
    name = "東京支店"
    code = "107"
    address = "東京都中央区日本橋3丁目8番14号"
    tel = "03-6848-2671"
    fax = "0320-504133"


class ContractorFactory(DjangoModelFactory):
    class Meta:
        model = Contractor

    company_name = factory.Sequence(lambda n: f"株式会社テスト建設{n}")
    office_name = "本店"
    notice_emails = factory.Sequence(lambda n: f"contractor{n}@example.jp")


class OrdererFactory(DjangoModelFactory):
    class Meta:
        model = Orderer

    title = factory.Sequence(lambda n: f"支出負担行為担当官 第{n}地方整備局長")
    organisation = factory.Sequence(lambda n: f"第{n}地方整備局")
    kind = Orderer.Kind.NATIONAL
    e_guarantee_adopted_on = dt.date(2022, 5, 9)


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = OrdererDepartment

    orderer = factory.SubFactory(OrdererFactory)
    name = "契約課"
    email = factory.Sequence(lambda n: f"keiyaku{n}@example.go.jp")


class BankFactory(DjangoModelFactory):
    class Meta:
        model = Bank
        django_get_or_create = ("name", "branch_name")

    name = "三菱UFJ銀行"
    branch_name = "東京支店"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    must_change_password = False
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def register_guarantee(**overrides: object) -> Guarantee:
    """Register a guarantee through the service, with sensible defaults for an advance.

    The default dates are relative to the current date in Japan (the travelled one inside
    ``time_machine``): concluded a month ago, in force for half a year more. A test that needs
    literal dates passes them, and builds the guarantee inside its time travel.
    """
    from django.utils import timezone

    from guarantees.services import guarantee_register

    today = timezone.localdate()

    values: dict[str, object] = {
        "kind": GuaranteeKind.ADVANCE,
        "contractor": overrides.pop("contractor", None) or ContractorFactory(),
        "orderer": overrides.pop("orderer", None) or OrdererFactory(),
        "branch": overrides.pop("branch", None) or BranchFactory(),
        "bank": BankFactory(),
        "work_name": "国道〇号線 道路改良工事 その1",
        "contract_amount_total": 100_000_000,
        "contract_amount_target": 100_000_000,
        "guarantee_amount": 40_000_000,
        "concluded_on": today - dt.timedelta(days=30),
        "guarantee_period_end": today + dt.timedelta(days=180),
        "construction_end_date": today + dt.timedelta(days=180),
        "registered_by": None,
    }
    values.update(overrides)
    return guarantee_register(**values)


def issue_guarantee(**overrides: object) -> Guarantee:
    """Register a guarantee and issue its first certificate (and key when electronic)."""
    from certificates.services import certificate_issue

    key = overrides.pop("key", None)
    guarantee = register_guarantee(**overrides)
    certificate_issue(guarantee=guarantee, issued_by=None, key=key)
    return guarantee


class ApiClientFactory(DjangoModelFactory):
    class Meta:
        model = "apiclients.ApiClient"

    orderer = factory.SubFactory(OrdererFactory)
    name = factory.Sequence(lambda n: f"電子契約システム{n}")
    contact_name = "契約課 担当者"
    contact_email = factory.Sequence(lambda n: f"system{n}@city.example.lg.jp")
