"""The embedded default that ``make run`` starts on a fresh machine (SQLite, no broker, no mail
server): the brochure's demo data loads and each kind of user's first steps answer as on PostgreSQL.

The rest of the suite runs on PostgreSQL; this walk runs in its own process against a new SQLite
file, as ``make run`` does, so SQL that only PostgreSQL understands cannot hide there."""

from __future__ import annotations

import os

from tests.fresh_process import last_json_line

_WALK = r"""
import json
import django
django.setup()
from django.core.management import call_command
from django.test import Client

call_command("migrate", "--noinput", verbosity=0)
call_command("create_signing_pair", verbosity=0)
call_command("seed_demo", verbosity=0)
out = {}

orderer = Client(REMOTE_ADDR="192.0.2.10")
body = json.dumps({"contract_number": "1070000473", "auth_key": "K5VL4+5QG_KJ"})
api = orderer.post("/api/v1/verifications", body, content_type="application/json")
out["api"] = [api.status_code, api.json()]
wrong = json.dumps({"contract_number": "1070000473", "auth_key": "AAAAAAAAAAAA"})
out["api_wrong"] = orderer.post("/api/v1/verifications", wrong, content_type="application/json").status_code
page = orderer.post("/verify/", {"contract_number": "１０７００００４７３", "auth_key": " K5VL4+5QG_KJ "})
out["page"] = page.status_code
result = orderer.get(page["Location"])
out["result"] = [result.status_code, "1070000473" in result.content.decode()]

contractor = Client()
login = contractor.post("/accounts/login/", {"username": "wjcs-demo", "password": "enet-demo-2024"})
out["login"] = login.status_code
home = contractor.get("/", follow=True)
out["list"] = [home.status_code, "1070000473" in home.content.decode()]

from accounts.models import User
from notifications.models import OutboxMessage, RegistrationNoticeItem
from notifications.services import registration_notice_run

demo = User.objects.get(username="wjcs-demo").contractor
RegistrationNoticeItem.objects.all().delete()  # the demo's versions, as if not announced yet
run = registration_notice_run(trigger="staff", contractor=demo)
again = registration_notice_run(trigger="staff", contractor=demo)
out["notice"] = [
    run.certificates,
    RegistrationNoticeItem.objects.filter(notice__run=run).count(),
    OutboxMessage.objects.filter(kind="registration_notice").count(),
    run.messages,
    again.certificates,
]
print(json.dumps(out, ensure_ascii=False))
"""


def test_make_runs_embedded_default_verifies_and_lists_as_postgresql_does(tmp_path):
    # given a new SQLite database as make run makes it (no DATABASE_URL, no REDIS_URL)
    env = {name: value for name, value in os.environ.items() if name not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(PORTAL_VAR_DIR=str(tmp_path), LOG_LEVEL="ERROR")
    # when the demo data is loaded and an orderer and a contractor take their first steps
    out = last_json_line(_WALK, settings_module="config.settings.base", env=env, timeout=300)
    # then the brochure's certificate verifies through the API, with the schema's types
    status, certificate = out["api"]
    assert status == 200, certificate
    assert certificate["contract_number"] == "1070000473"
    assert certificate["versions"][0]["is_change"] is False
    assert certificate["status"] in {"active", "changed", "cancelled", "revoked", "expired"}
    # and a wrong key is a 404, the page verifies what a person typed, and its result shows
    assert out["api_wrong"] == 404
    assert out["page"] == 303
    assert out["result"] == [200, True]
    # and the demo contractor logs in to 保証工事一覧 with the brochure's guarantee
    assert out["login"] == 302
    assert out["list"] == [200, True]
    # and staff's お急ぎ notice announces each of the contractor's versions once, with its mail
    announced, items, mails, queued, again = out["notice"]
    assert announced > 0
    assert items == announced
    assert mails == queued >= 1
    assert again == 0
