"""Staff reach admin with a second factor when STAFF_REQUIRE_2FA is on (always, in production)."""

import time

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def two_factor(settings):
    settings.STAFF_REQUIRE_2FA = True


@pytest.fixture
def officer(db):
    user = UserFactory(username="officer", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def _current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def test_the_admin_login_asks_for_a_one_time_code(client, two_factor, officer):
    response = client.get("/admin/login/")
    assert 'name="otp_token"' in response.content.decode()


def test_a_password_alone_does_not_open_the_admin(client, two_factor, officer):
    _user, device = officer
    response = client.post(
        "/admin/login/", {"username": "officer", "password": PASSWORD, "otp_device": device.persistent_id}
    )
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_password_and_current_code_open_the_admin(client, two_factor, officer):
    _user, device = officer
    response = client.post(
        "/admin/login/",
        {
            "username": "officer",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": _current_code(device),
            "next": "/admin/",
        },
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_logged_in_but_unverified_session_is_sent_back_to_the_login(client, two_factor, officer):
    user, _device = officer
    client.force_login(user)
    assert client.get("/admin/").status_code == 302


def test_the_demo_may_switch_the_second_factor_off(client, settings, officer):
    settings.STAFF_REQUIRE_2FA = False
    user, _device = officer
    client.force_login(user)
    assert client.get("/admin/").status_code == 200


def test_a_device_that_does_not_exist_is_the_admins_404_not_an_error(client, settings, officer):
    settings.STAFF_REQUIRE_2FA = False
    user, device = officer
    client.force_login(user)
    # given the device's own configuration and QR code pages
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 200
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 200
    # when a number that is no device is asked for, each is a 404
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk + 1000}/config/").status_code == 404
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk + 1000}/qrcode/").status_code == 404


def test_the_set_up_command_prints_an_authenticator_uri(db, capsys):
    UserFactory(username="first-admin", is_staff=True)
    call_command("staff_totp", "first-admin")
    assert capsys.readouterr().out.startswith("otpauth://totp/")
    assert TOTPDevice.objects.filter(user__username="first-admin", confirmed=True).exists()


def test_production_refuses_to_run_with_the_second_factor_off():
    from tests.test_platform import _production_settings

    result = _production_settings(
        {
            "SECRET_KEY": "x" * 60,
            "KEY_ENCRYPTION_KEY": "q" * 43,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
            "REDIS_URL": "redis://127.0.0.1:6379/1",
            "ALLOWED_HOSTS": "portal.example.jp",
            "EMAIL_HOST": "127.0.0.1",
            "PDF_SIGNING_KEY": "/etc/portal/signing-key.pem",
            "PDF_SIGNING_CERT": "/etc/portal/signing-cert.pem",
            "STAFF_REQUIRE_2FA": "false",
        }
    )
    assert result.returncode != 0
    assert "STAFF_REQUIRE_2FA" in result.stderr


@pytest.mark.usefixtures("officer")
def test_failed_admin_logins_are_limited_like_the_portals_and_the_block_lifts(client, settings):
    settings.STAFF_REQUIRE_2FA = False
    settings.LOGIN_FAILURES_PER_ID = 3  # the ceiling, from all clients
    settings.LOGIN_FAILURE_WINDOW = 1
    # given three wrong passwords for one staff login ID, from different clients
    for n in range(3):
        client.post("/admin/login/", {"username": "officer", "password": "wrong"}, REMOTE_ADDR=f"192.0.2.{n}")
    # when the right password comes, it is refused (429, Retry-After) with the message to wait
    response = client.post("/admin/login/", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert "15分ほど待ってから" in response.content.decode()
    # and when the window (one second here) has passed in Redis, it works again
    time.sleep(1.5)
    response = client.post("/admin/login/", {"username": "officer", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
