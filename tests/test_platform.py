"""The platform: health check, demo data, production settings."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from demo import brochure, generated
from guarantees.models import AuditEvent, Guarantee


def test_healthz_reports_the_database_and_redis(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "oldest_unsent_mail_age_seconds": None,
        "last_notice_run": None,
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_the_age_of_the_oldest_unsent_mail_and_the_last_notice_run(client, db):
    import time_machine

    from notifications.services import notification_enqueue
    from notifications.tasks import registration_notice_task

    with time_machine.travel("2026-11-24 15:00 +0900", tick=False):
        notification_enqueue(
            kind="registration_notice",
            idempotency_key="health-check-probe",
            to="someone@example.jp",
            context={},
        )
    with time_machine.travel("2026-11-24 16:00 +0900", tick=False):
        registration_notice_task.apply()
    with time_machine.travel("2026-11-24 16:10 +0900", tick=False):
        body = client.get(reverse("healthz")).json()
    assert body["oldest_unsent_mail_age_seconds"] == 70 * 60
    assert body["last_notice_run"] == "2026-11-24T16:00:00+09:00"


def test_healthz_answers_503_when_redis_is_unreachable(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["redis"] == "error"


def test_seeding_the_demo_twice_changes_nothing(db):
    brochure.seed_brochure()
    counts = (Guarantee.objects.count(), AuditEvent.objects.count())
    brochure.seed_brochure()
    assert (Guarantee.objects.count(), AuditEvent.objects.count()) == counts == (2, 6)


def test_the_demo_holds_the_brochures_example(db):
    brochure.seed_brochure()
    advance = Guarantee.objects.get(number="1070000473")
    assert (advance.contract_amount_total, advance.contract_amount_target, advance.guarantee_amount) == (
        2_172_720_000,
        616_296_000,
        145_670_000,
    )
    assert advance.medium == Guarantee.Medium.ELECTRONIC
    certificate = advance.certificates.get()
    assert (certificate.certified_on.isoformat(), certificate.issued_on.isoformat()) == (
        "2022-01-20",
        "2022-01-28",
    )
    from authkeys.selectors import guarantee_matching_key

    assert guarantee_matching_key(contract_number="1070000473", key="K5VL4+5QG_KJ") == advance
    contract = Guarantee.objects.get(number="1070200236")
    assert contract.guarantee_amount == 217_272_000
    assert contract.parent == advance


def test_generated_guarantees_top_up_to_the_requested_count(db):
    brochure.seed_brochure()
    assert generated.seed_generated(count=300, demo_share=40) == 300
    assert generated.seed_generated(count=300) == 0
    assert Guarantee.objects.count() == 302
    assert Guarantee.objects.filter(contractor__company_name="株式会社西日本保証建設").count() == 42
    numbers = list(Guarantee.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert all(len(n) == 10 and n.isdigit() for n in numbers)


def _production_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "KEY_ENCRYPTION_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST"]
)
def test_production_settings_refuse_to_start_without_a_secret(missing):
    env = {
        "SECRET_KEY": "x" * 60,
        "KEY_ENCRYPTION_KEY": "q" * 43,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "ALLOWED_HOSTS": "portal.example.jp",
        "EMAIL_HOST": "127.0.0.1",
        "PDF_SIGNING_KEY": "/etc/portal/signing-key.pem",
        "PDF_SIGNING_CERT": "/etc/portal/signing-cert.pem",
    }
    del env[missing]
    result = _production_settings(env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_settings_refuse_the_development_secrets():
    from config.settings.base import DEV_KEY_ENCRYPTION_KEY, DEV_SECRET_KEY

    result = _production_settings(
        {
            "SECRET_KEY": DEV_SECRET_KEY,
            "KEY_ENCRYPTION_KEY": DEV_KEY_ENCRYPTION_KEY,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
            "REDIS_URL": "redis://127.0.0.1:6379/1",
            "ALLOWED_HOSTS": "portal.example.jp",
            "EMAIL_HOST": "127.0.0.1",
            "PDF_SIGNING_KEY": "/etc/portal/signing-key.pem",
            "PDF_SIGNING_CERT": "/etc/portal/signing-cert.pem",
        }
    )
    assert result.returncode != 0
    assert "development secrets" in result.stderr
