"""Contractors' two-factor authentication (TOTP): turning it on and off, and the login's code step."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.pending import SESSION_KEY as PENDING_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
START = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def no_device_throttle(settings):
    """django-otp refuses even a right code for a second after a wrong one; these tests type the
    right code straight after a wrong one."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _next_window(clock) -> None:
    """A code is accepted once; the next step uses the next 30-second window."""
    clock.shift(dt.timedelta(seconds=30))


@pytest.fixture
def device_a(user_a):
    return TOTPDevice.objects.create(user=user_a, name="portal", confirmed=True)


def _login(client, username: str = "alpha", password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_turning_two_factor_on_shows_a_qr_code_and_the_secret_and_a_right_code_confirms_it(
    client_a, user_a, clock
):
    # given a contractor without two-factor
    page = client_a.get("/accounts/two-factor/").content.decode()
    assert "二段階認証は無効です。" in page

    # when it starts the set-up
    response = client_a.post("/accounts/two-factor/", {"action": "start"}, follow=True)

    # then the page shows an inline SVG QR code and the secret in base32, and the device waits
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=user_a)
    assert device.confirmed is False
    assert "<svg" in html
    assert "<path" in html
    assert "style=" not in html
    assert "<script>" not in html
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html)
    assert secret is not None
    assert secret.group(1).replace(" ", "") == base64.b32encode(device.bin_key).decode()

    # when it types the app's code in full-width digits with a space
    code = _code(device).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client_a.post(
        "/accounts/two-factor/", {"action": "confirm", "code": f"{code[:3]}　{code[3:]}"}, follow=True
    )

    # then two-factor is on
    device.refresh_from_db()
    assert device.confirmed is True
    assert "二段階認証を有効にしました。" in response.content.decode()
    assert "二段階認証は有効です。" in response.content.decode()


def test_a_wrong_code_does_not_turn_two_factor_on(client_a, user_a, clock):
    # given a started set-up
    client_a.post("/accounts/two-factor/", {"action": "start"})
    device = TOTPDevice.objects.get(user=user_a)

    # when a wrong code and a malformed one come
    wrong = client_a.post("/accounts/two-factor/", {"action": "confirm", "code": _wrong(_code(device))})
    malformed = client_a.post("/accounts/two-factor/", {"action": "confirm", "code": "12ab"})

    # then both are refused in Japanese and the device stays unconfirmed
    assert "確認コードが正しくありません。" in wrong.content.decode()
    assert "確認コードは6桁の数字で入力してください。" in malformed.content.decode()
    assert TOTPDevice.objects.get(user=user_a).confirmed is False
    # and the login is still by password alone
    client_a.post("/accounts/logout/")
    assert _login(client_a)["Location"] == "/"


def test_the_header_links_to_the_two_factor_page_for_contractors(client_a):
    # when
    html = client_a.get("/").content.decode()

    # then
    assert 'href="/accounts/two-factor/"' in html
    assert "二段階認証" in html


def test_a_login_with_two_factor_on_needs_the_code_before_the_session_has_a_user(
    client, user_a, device_a, clock
):
    # when the right password comes
    response = client.post("/accounts/login/?next=/manual/", {"username": "alpha", "password": PASSWORD})

    # then the code is asked for, and nobody is logged in yet
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/"
    assert not _logged_in(client)
    assert client.get("/")["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/login/code/").content.decode()
    assert "確認コードの入力" in page
    before = client.session.session_key

    # when the right code comes
    response = client.post("/accounts/login/code/", {"code": _code(device_a)})

    # then the user is logged in, on a new session key, verified by the device, sent where it wanted
    assert response["Location"] == "/manual/"
    assert _logged_in(client)
    assert client.session.session_key != before
    assert client.session[DEVICE_ID_SESSION_KEY] == device_a.persistent_id
    assert PENDING_KEY not in client.session
    assert client.get("/").status_code == 200


@override_settings(LOGIN_FAILURES_PER_ID_CLIENT=3)
def test_a_wrong_code_is_refused_and_counted_against_the_login_limits(
    client, user_a, device_a, clock, no_device_throttle
):
    # given the right password
    _login(client)

    # when two wrong codes come
    for _ in range(2):
        response = client.post("/accounts/login/code/", {"code": _wrong(_code(device_a))})
        assert "確認コードが正しくありません。" in response.content.decode()
    assert not _logged_in(client)

    # and the password again (which does not clear the count while a code is owed), then a third
    _login(client)
    client.post("/accounts/login/code/", {"code": _wrong(_code(device_a))})

    # then the login ID is blocked: even the right code is refused (429), with the message to wait
    response = client.post("/accounts/login/code/", {"code": _code(device_a)})
    assert response.status_code == 429
    assert "15分ほど待ってから" in response.content.decode()
    assert not _logged_in(client)
    assert "15分ほど待ってから" in _login(client).content.decode()


def test_a_malformed_code_is_answered_by_its_field_and_compares_nothing(client, user_a, device_a, clock):
    # given the right password
    _login(client)

    # when a code of three digits comes
    response = client.post("/accounts/login/code/", {"code": "000"})

    # then the field says why, and no failure is counted
    assert "確認コードは6桁の数字で入力してください。" in response.content.decode()
    from accounts import limits

    counted = limits.login_failures_counted(login_id="alpha", client="127.0.0.1")
    assert counted == {"id_client": 0, "id": 0, "client": 0}


def test_a_right_code_clears_the_login_ids_failures(client, user_a, device_a, clock, no_device_throttle):
    # given four wrong codes, then the right one
    _login(client)
    for _ in range(4):
        client.post("/accounts/login/code/", {"code": _wrong(_code(device_a))})
    assert client.post("/accounts/login/code/", {"code": _code(device_a)}).status_code == 302
    client.post("/accounts/logout/")
    _next_window(clock)

    # when four more wrong codes come
    _login(client)
    for _ in range(4):
        client.post("/accounts/login/code/", {"code": _wrong(_code(device_a))})

    # then the next right code still logs in
    assert client.post("/accounts/login/code/", {"code": _code(device_a)}).status_code == 302
    assert _logged_in(client)


def test_a_pending_login_expires_after_five_minutes(client, user_a, device_a, clock):
    # given the right password
    _login(client)

    # when the code comes six minutes later
    clock.shift(dt.timedelta(minutes=6))
    response = client.post("/accounts/login/code/", {"code": _code(device_a)}, follow=True)

    # then it is refused, the user is asked to log in again, and nothing is left in the session
    assert response.redirect_chain[0][0] == "/accounts/login/"
    assert "確認コードの入力期限（5分）を過ぎた" in response.content.decode()
    assert not _logged_in(client)
    assert PENDING_KEY not in client.session


def test_the_code_page_without_a_pending_login_sends_to_the_login(client, db):
    # when
    response = client.post("/accounts/login/code/", {"code": "123456"})

    # then
    assert response["Location"] == "/accounts/login/"
    assert not _logged_in(client)


def test_a_pending_login_forged_in_the_session_is_refused(client, user_a, device_a, clock):
    # given a session that claims a pending login without the signature
    session = client.session
    session[PENDING_KEY] = f'{{"user": {user_a.pk}}}'
    session.save()

    # when
    response = client.post("/accounts/login/code/", {"code": _code(device_a)})

    # then
    assert response["Location"] == "/accounts/login/"
    assert not _logged_in(client)


def test_turning_two_factor_off_needs_the_password_and_a_current_code(
    client, user_a, device_a, clock, no_device_throttle
):
    # given a user logged in with its code
    _login(client)
    client.post("/accounts/login/code/", {"code": _code(device_a)})
    _next_window(clock)
    assert "二段階認証は有効です。" in client.get("/accounts/two-factor/").content.decode()

    # when the password is wrong, or the code is wrong, or the code is missing
    code = _code(device_a)
    attempts = [
        ({"password": "wrong", "code": code}, "パスワードが正しくありません。"),
        ({"password": PASSWORD, "code": _wrong(code)}, "確認コードが正しくありません。"),
        ({"password": PASSWORD, "code": ""}, "6桁の確認コードを入力してください。"),
        ({"password": "", "code": code}, "現在のパスワードを入力してください。"),
    ]
    for data, message in attempts:
        response = client.post("/accounts/two-factor/", {"action": "disable", **data})
        # then each is refused in Japanese and two-factor stays on
        assert message in response.content.decode()
        assert TOTPDevice.objects.filter(user=user_a, confirmed=True).exists()

    # when both are right
    response = client.post(
        "/accounts/two-factor/", {"action": "disable", "password": PASSWORD, "code": code}, follow=True
    )

    # then two-factor is off and the next login is by password alone
    assert "二段階認証を無効にしました。" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user_a).exists()
    client.post("/accounts/logout/")
    assert _login(client)["Location"] == "/"


def test_users_without_a_device_log_in_as_before(client, user_a):
    # when
    response = _login(client)

    # then
    assert response["Location"] == "/"
    assert _logged_in(client)
    assert PENDING_KEY not in client.session


def test_staff_with_an_admin_device_give_its_code_here_and_then_reach_admin(
    client, branch_clerk, clock, settings
):
    # given a clerk with the admin's TOTP device, and the second factor required for staff
    settings.STAFF_REQUIRE_2FA = True
    device = TOTPDevice.objects.create(user=branch_clerk, name="admin", confirmed=True)

    # when the clerk logs in on the portal's page with the password
    response = _login(client, "clerk")

    # then the session has no user yet: the code step comes first
    assert response["Location"] == "/accounts/login/code/"
    assert not _logged_in(client)
    assert client.get("/accounts/password/")["Location"].startswith("/accounts/login/")

    # when the code comes, the clerk is in admin with a verified session
    response = client.post("/accounts/login/code/", {"code": _code(device)})
    assert response["Location"] == "/admin/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/admin/").status_code == 200


def test_an_unconfirmed_device_does_not_change_the_login(client, user_a, clock):
    # given a set-up started but never confirmed
    TOTPDevice.objects.create(user=user_a, name="portal", confirmed=False)

    # when
    response = _login(client)

    # then
    assert response["Location"] == "/"
    assert _logged_in(client)


def test_a_right_code_straight_after_a_wrong_one_is_asked_to_wait(client, user_a, device_a, clock):
    # given the right password and a wrong code (django-otp then waits a second before the next)
    _login(client)
    client.post("/accounts/login/code/", {"code": _wrong(_code(device_a))})

    # when the right code comes in the same second
    response = client.post("/accounts/login/code/", {"code": _code(device_a)})

    # then it is refused with the message to wait, and works after the wait
    assert "しばらく受け付けを停止しています" in response.content.decode()
    assert not _logged_in(client)
    clock.shift(dt.timedelta(seconds=2))
    assert client.post("/accounts/login/code/", {"code": _code(device_a)}).status_code == 302


def test_starting_the_set_up_again_when_it_is_on_changes_nothing(client_a, user_a, device_a):
    # when a second tab sends the start while two-factor is on
    response = client_a.post("/accounts/two-factor/", {"action": "start"}, follow=True)

    # then it says so and the confirmed device is untouched
    assert "二段階認証はすでに有効です。" in response.content.decode()
    assert list(TOTPDevice.objects.filter(user=user_a)) == [device_a]
