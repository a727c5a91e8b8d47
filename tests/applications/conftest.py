"""Fixtures for the application flow: a reviewing clerk, complete drafts, uploads."""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Application, ApplicationDocument
from applications.services import drafts
from guarantees.models import GuaranteeKind
from tests.factories import BankFactory, BranchFactory, UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32

TODAY = dt.date(2026, 7, 1)
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def pdf(name: str = "契約書.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _demo_rates(request):
    """The demo rate table comes from a data migration; a transactional test elsewhere in the run
    may have flushed it, so put it back when it is missing."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker is not None:
        request.getfixturevalue("db")
    else:
        return
    from django.apps import apps

    if not apps.get_model("applications", "FeeRate").objects.exists():
        importlib.import_module("applications.migrations.0002_demo_fee_table").seed(apps, None)


@pytest.fixture(autouse=True)
def _today(time_machine):
    """The flow's tests run on 2026-07-01 10:00 in Tokyo (a weekday, mid-construction-year)."""
    time_machine.move_to(dt.datetime(2026, 7, 1, 10, 0, tzinfo=TOKYO), tick=True)


def _staff(username: str, branch, codenames: list[str]):
    user = UserFactory(username=username, is_staff=True, branch=branch)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="applications", codename__in=codenames)
        | Permission.objects.filter(content_type__app_label__in=["guarantees", "certificates", "authkeys"])
    )
    return user


REVIEW_PERMS = [
    "view_application",
    "change_application",
    "review_application",
    "view_applicationdocument",
    "view_feerate",
    "view_feediscount",
]


@pytest.fixture
def reviewer(tokyo_branch):
    return _staff("reviewer", tokyo_branch, REVIEW_PERMS)


@pytest.fixture
def other_branch_reviewer(db):
    return _staff("kagoshima", BranchFactory(code="146", name="鹿児島支店"), REVIEW_PERMS)


@pytest.fixture
def rate_manager(tokyo_branch):
    return _staff(
        "ratekeeper",
        tokyo_branch,
        [*REVIEW_PERMS, "manage_fee_rates", "add_feerate", "change_feerate", "add_feediscount"],
    )


def complete_values(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "work_name": "国道〇号線 道路改良工事 その1",
        "work_place": "東京都千代田区霞が関",
        "contract_date": dt.date(2026, 6, 20),
        "construction_start": dt.date(2026, 6, 21),
        "construction_end": dt.date(2027, 3, 15),
        "multi_year": False,
        "contract_amount_total": 100_000_000,
        "guarantee_amount": 40_000_000,
        "bank": BankFactory(),
        "account_type": Application.AccountType.ORDINARY,
        "account_number": "1234567",
        "account_holder": "カ）アルファケンセツ",
    }
    values.update(overrides)
    return values


def make_draft(
    user, orderer, branch, *, kind: str = GuaranteeKind.ADVANCE, upload: bool = True, **overrides: object
) -> Application:
    application = drafts.application_create(user=user, kind=kind)
    values = complete_values(**overrides)
    values.setdefault("orderer", orderer)
    values.setdefault("branch", branch)
    application = drafts.application_save_draft(application=application, user=user, values=values)
    if upload:
        doc_type = (
            ApplicationDocument.DocType.CERTIFICATION
            if kind == GuaranteeKind.INTERIM_ADVANCE
            else ApplicationDocument.DocType.CONTRACT
        )
        drafts.application_document_add(application=application, user=user, doc_type=doc_type, upload=pdf())
    return application


@pytest.fixture
def draft(user_a, orderer, tokyo_branch):
    return make_draft(user_a, orderer, tokyo_branch)


@pytest.fixture
def submitted(draft, user_a):
    return drafts.application_submit(application=draft, submitted_by=user_a)
