"""Sessions rotate at login and end at logout, on a password change and when an account is deactivated."""

from django.contrib.sessions.models import Session
from django.test import Client

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a new and long passphrase 2026"


def _login(client: Client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_logging_in_gives_a_new_session_key(db, contractor_a):
    UserFactory(username="alpha", contractor=contractor_a)
    # given an anonymous session (as a visitor who has been on the site has)
    client = Client()
    session = client.session
    session["probe"] = 1
    session.save()
    before = str(session.session_key)
    client.cookies["sessionid"] = before
    # when logging in
    _login(client, "alpha")
    # then the session continues under a new key, and the old key opens nothing
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get("/").status_code == 200


def test_logging_out_deletes_the_session(db, contractor_a):
    UserFactory(username="alpha", contractor=contractor_a)
    client = Client()
    _login(client, "alpha")
    key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(db, contractor_a):
    UserFactory(username="alpha", contractor=contractor_a)
    office, home = Client(), Client()
    _login(office, "alpha")
    _login(home, "alpha")
    response = office.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert office.get("/").status_code == 200
    assert home.get("/").status_code == 302


def test_deactivating_an_account_ends_its_sessions_at_once(db, contractor_a):
    user = UserFactory(username="alpha", contractor=contractor_a)
    client = Client()
    _login(client, "alpha")
    assert client.get("/").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/").status_code == 302
