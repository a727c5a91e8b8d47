"""The demo data: the brochure's guarantees carry the brochure's dates, and its own orderer."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.core.management import BaseCommand, load_command_class
from django.test import Client
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from accounts.models import User
from authkeys.models import AuthKey
from certificates.models import Certificate, CertificateDocument
from demo import brochure
from guarantees.models import AuditEvent, Guarantee, Orderer
from notifications.models import NoticeRun, OutboxMessage, RegistrationNoticeItem
from notifications.services import registration_notice_run
from tests.pdf.conftest import flat_text
from tests.verification.helpers import page_verify

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
BROCHURE_DAY_10AM = dt.datetime(2022, 1, 28, 10, 0, tzinfo=TOKYO)


def test_the_brochures_guarantees_carry_the_brochures_registration_times(time_machine):
    # given the demo loaded today
    time_machine.move_to(dt.datetime(2026, 12, 3, 11, 0, tzinfo=TOKYO), tick=False)
    brochure.seed_brochure()

    # then its records were registered and issued on 2022-01-28, not today
    numbers = [brochure.ADVANCE_NUMBER, brochure.CONTRACT_NUMBER]
    guarantees = Guarantee.objects.filter(number__in=numbers)
    assert {g.created_at for g in guarantees} == {BROCHURE_DAY_10AM}
    certificates = Certificate.objects.filter(contract_number__in=numbers)
    assert {c.registered_at for c in certificates} == {BROCHURE_DAY_10AM}
    assert {c.issued_on for c in certificates} == {dt.date(2022, 1, 28)}
    assert {k.created_at for k in AuthKey.objects.filter(guarantee__in=guarantees)} == {BROCHURE_DAY_10AM}
    assert {e.created_at for e in AuditEvent.objects.filter(guarantee__in=guarantees)} == {BROCHURE_DAY_10AM}
    # and they were announced in that day's 16:00 notice, which sent no mail today
    items = RegistrationNoticeItem.objects.filter(certificate__in=certificates).select_related("notice__run")
    assert {item.notice.notice_date for item in items} == {dt.date(2022, 1, 28)}
    assert len(items) == 2
    assert not OutboxMessage.objects.exists()


def test_todays_16_oclock_notice_does_not_announce_the_brochures_guarantees_as_new(time_machine):
    # given the demo loaded this morning
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 30, tzinfo=TOKYO), tick=False)
    brochure.seed_brochure()

    # when the 16:00 notice runs
    time_machine.move_to(dt.datetime(2026, 12, 3, 16, 0, tzinfo=TOKYO), tick=False)
    run = registration_notice_run(trigger=NoticeRun.Trigger.SCHEDULE)

    # then it has nothing to announce: the brochure's versions were announced in 2022
    assert (run.certificates, run.notices, run.messages) == (0, 0, 0)
    assert not OutboxMessage.objects.exists()


def test_loading_the_demo_twice_adds_nothing(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 30, tzinfo=TOKYO), tick=False)
    brochure.seed_brochure()
    brochure.seed_brochure()
    assert NoticeRun.objects.count() == 1
    assert RegistrationNoticeItem.objects.count() == 2
    assert Orderer.objects.filter(title=brochure.NAKATANE_TITLE).count() == 1


def test_the_brochures_own_orderer_is_in_the_demo_with_its_departments():
    brochure.seed_brochure()
    nakatane = Orderer.objects.get(title=brochure.NAKATANE_TITLE)
    assert nakatane.organisation == "中種子町"
    assert nakatane.kind == Orderer.Kind.MUNICIPALITY
    assert nakatane.e_guarantee_adopted_on == dt.date(2024, 2, 1)  # 令和6年2月
    departments = {d.name: d.email for d in nakatane.departments.all()}
    assert "建設課" in departments
    assert len(departments) == len(brochure.NAKATANE_DEPARTMENTS) >= 3
    assert all(email.endswith(".lg.jp") for email in departments.values())


# --- The brochure's PDFs: rendered on their first download ----------------------------------------


@pytest.fixture
def committed_brochure(django_capture_on_commit_callbacks, settings, tmp_path, time_machine):
    """The demo as ``make run`` loads it: committed, tasks run eagerly (no broker), its own media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 30, tzinfo=TOKYO), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        demo_world = brochure.seed_brochure()
    return demo_world


def _signed_pdf_text(data: bytes) -> str:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    assert len(reader.embedded_signatures) == 1
    return flat_text(data)


def test_loading_the_demo_renders_no_pdf(committed_brochure, settings):
    # The brochure's two certificates are rendered on their first download, not by the seed.
    assert not CertificateDocument.objects.exists()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


@pytest.mark.parametrize(
    ("number", "title"),
    [(brochure.ADVANCE_NUMBER, "保証証書（前払金保証）"), (brochure.CONTRACT_NUMBER, "保証証書（契約保証）")],
)
def test_the_demo_contractor_downloads_each_brochure_certificate_rendered_then_and_stored(
    committed_brochure, client, number, title
):
    # given the demo contractor logged in with the published password
    assert client.login(username=brochure.DEMO_LOGIN, password=brochure.DEMO_PASSWORD)
    url = reverse("documents:certificate", kwargs={"number": number, "version": 1})
    # when it downloads the certificate for the first time
    first = client.get(url)
    # then it is rendered, signed and stored then; the next download is that same file
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    text = _signed_pdf_text(first.content)
    assert number in text
    assert title in text
    document = CertificateDocument.objects.get(certificate__contract_number=number)
    assert hashlib.sha256(first.content).hexdigest() == document.sha256
    assert client.get(url).content == first.content


def test_the_demo_contractor_downloads_the_key_notice_of_the_brochures_advance(committed_brochure, client):
    assert client.login(username=brochure.DEMO_LOGIN, password=brochure.DEMO_PASSWORD)
    response = client.post(reverse("documents:authkey_notice", kwargs={"number": brochure.ADVANCE_NUMBER}))
    assert response.status_code == 200
    text = _signed_pdf_text(response.content)
    assert brochure.ADVANCE_KEY in text
    assert brochure.ADVANCE_NUMBER in text


def test_an_orderer_who_verifies_the_brochures_advance_downloads_its_certificate(committed_brochure):
    orderer = Client(REMOTE_ADDR="192.0.2.10")
    result = orderer.get(page_verify(orderer, brochure.ADVANCE_NUMBER, brochure.ADVANCE_KEY)["Location"])
    link = re.search(r'href="(/documents/verified/[^"]+/certificate\.pdf)"', result.content.decode())
    assert link
    response = orderer.get(link.group(1))
    assert response.status_code == 200
    assert brochure.ADVANCE_NUMBER in _signed_pdf_text(response.content)
    assert CertificateDocument.objects.filter(certificate__contract_number=brochure.ADVANCE_NUMBER).exists()


def test_the_demo_staff_download_a_brochure_certificate_in_admin(committed_brochure, client):
    assert client.login(username=brochure.STAFF_LOGIN, password=brochure.STAFF_PASSWORD)
    certificate = Certificate.objects.get(contract_number=brochure.CONTRACT_NUMBER)
    response = client.get(reverse("admin:certificates_certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200
    assert brochure.CONTRACT_NUMBER in _signed_pdf_text(response.content)


# --- The demo's published passwords -----------------------------------------------------------------

DJANGOS_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def test_the_published_passwords_hashes_are_djangos_current_pbkdf2_hashes_of_them(settings):
    # Regenerate with hasher.encode(password, hasher.salt()) when Django raises its iteration count
    # (the seed hashes afresh meanwhile).
    settings.PASSWORD_HASHERS = DJANGOS_HASHERS
    hasher = get_hasher()
    for password, encoded in brochure.PUBLISHED_PASSWORD_HASHES.items():
        assert identify_hasher(encoded).algorithm == hasher.algorithm == "pbkdf2_sha256"
        assert not hasher.must_update(encoded), "Django's PBKDF2 iteration count changed: regenerate"
        assert hasher.verify(password, encoded)


def test_with_djangos_hashers_the_demo_users_get_the_published_hashes_and_log_in(client, settings):
    settings.PASSWORD_HASHERS = DJANGOS_HASHERS
    brochure.seed_brochure()
    for username, password in [
        (brochure.DEMO_LOGIN, brochure.DEMO_PASSWORD),
        (brochure.STAFF_LOGIN, brochure.STAFF_PASSWORD),
    ]:
        user = User.objects.get(username=username)
        assert user.password == brochure.PUBLISHED_PASSWORD_HASHES[password]
        assert client.login(username=username, password=password)
        client.logout()


def test_with_another_preferred_hasher_the_seed_hashes_the_passwords_itself():
    # The test settings prefer MD5: the PBKDF2 hashes are not what make_password makes here.
    brochure.seed_brochure()
    user = User.objects.get(username=brochure.DEMO_LOGIN)
    assert identify_hasher(user.password).algorithm == "md5"
    assert user.check_password(brochure.DEMO_PASSWORD)


def test_the_seed_command_loads_the_demo_without_running_the_system_checks(monkeypatch):
    checked = []
    monkeypatch.setattr(BaseCommand, "check", lambda self, *args, **kwargs: checked.append(self))
    # as `manage.py seed_demo` runs it (call_command would skip the checks anyway)
    command = load_command_class("demo", "seed_demo")
    options = vars(command.create_parser("manage.py", "seed_demo").parse_args([]))
    out = io.StringIO()
    command.execute(**{**options, "stdout": out})
    assert "in place" in out.getvalue()
    assert (
        Guarantee.objects.filter(number__in=[brochure.ADVANCE_NUMBER, brochure.CONTRACT_NUMBER]).count() == 2
    )
    assert checked == []
