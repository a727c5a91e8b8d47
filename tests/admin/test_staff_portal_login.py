"""Staff at the portal's own login (/accounts/login/): with the second factor required, a password
alone never gives a staff session, and never clears the failures counted against the code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import limits
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "Hosho-Portal-2026!"


@pytest.fixture
def officer(settings: Any, time_machine: Any) -> tuple[Any, TOTPDevice]:
    settings.STAFF_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own pause after a wrong code
    time_machine.move_to(dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC), tick=False)
    user = UserFactory(username="officer", is_staff=True, is_superuser=True)
    return user, TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device: TOTPDevice, shift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0)
    return f"{(value + shift) % 1_000_000:06d}"


def _portal_login(client: Any, username: str = "officer") -> Any:
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def _admin_login(client: Any, device: TOTPDevice, code: str) -> Any:
    return client.post(
        "/admin/login/",
        {
            "username": "officer",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": code,
            "next": "/admin/",
        },
    )


def test_a_staff_password_alone_at_the_portals_login_gives_no_session(client: Any, officer: Any) -> None:
    # when the officer gives the right password on the portal's page
    response = _portal_login(client)

    # then the code step comes; the session has no user and nothing opens, the password change least
    assert response["Location"] == "/accounts/login/code/"
    assert SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    officer[0].refresh_from_db()
    assert officer[0].check_password(PASSWORD)


def test_staff_without_a_device_are_refused_at_the_portals_login(client: Any, settings: Any) -> None:
    # given a clerk without any TOTP device, the second factor required
    settings.STAFF_REQUIRE_2FA = True
    UserFactory(username="clerk2", is_staff=True)

    # when
    response = _portal_login(client, "clerk2")

    # then refused, with where to log in instead
    assert response.status_code == 200
    assert "職員のアカウントは確認コード（二段階認証）が必要です。" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_staff_session_without_its_second_factor_reaches_only_the_logins(client: Any, officer: Any) -> None:
    # given a staff session that somehow has a user but no verified device
    user, _device = officer
    client.force_login(user)

    # when it opens the password change, then the admin
    response = client.get("/accounts/password/")

    # then both send it to the admin's login, which asks for the code
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/admin/login/").status_code == 200


def test_password_only_logins_between_wrong_codes_never_clear_the_code_failures(
    client: Any, officer: Any, settings: Any
) -> None:
    # given the limit of five failures per login ID and client
    settings.LOGIN_FAILURES_PER_ID_CLIENT = 5
    _user, device = officer

    # when wrong codes at the admin's login alternate with the right password on the portal's page
    for _ in range(4):
        assert _admin_login(client, device, _code(device, shift=1)).status_code == 200
        assert _portal_login(client)["Location"] == "/accounts/login/code/"
    assert _admin_login(client, device, _code(device, shift=1)).status_code == 200

    # then the five wrong codes are all still counted, and every further attempt is refused unread,
    # the right password and the right code included
    counted = limits.login_failures_counted(login_id="officer", client="127.0.0.1")
    assert counted["id_client"] == 5
    assert _portal_login(client).status_code == 429
    response = _admin_login(client, device, _code(device))
    assert response.status_code == 429
    assert "15分ほど待ってから" in response.content.decode()
    assert client.post("/accounts/login/code/", {"code": _code(device)}).status_code == 429


def test_password_and_code_at_the_admin_clear_the_failures_of_this_client(client: Any, officer: Any) -> None:
    # given four wrong codes
    _user, device = officer
    for _ in range(4):
        _admin_login(client, device, _code(device, shift=1))

    # when the right password and code come
    assert _admin_login(client, device, _code(device))["Location"] == "/admin/"

    # then this client's failures for the login ID are cleared
    assert limits.login_failures_counted(login_id="officer", client="127.0.0.1")["id_client"] == 0
