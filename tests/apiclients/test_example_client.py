"""The documented example client (docs/examples/verify_client.py) works against the live portal."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from typing import Any

import pytest
from django.utils import timezone

from guarantees.services import guarantee_cancel
from tests.apiclients.conftest import EXAMPLE_CLIENT, current_guarantee, registered_system
from tests.verification.helpers import KEY, OTHER_KEY

pytestmark = pytest.mark.django_db(transaction=True)


def _run(live_server, api_key: str | None, *args: str) -> tuple[int, Any]:
    command = [sys.executable, str(EXAMPLE_CLIENT), "--base-url", live_server.url]
    if api_key:
        command += ["--api-key", api_key]
    # -I: the example needs nothing but the standard library (no project path, no site packages).
    done = subprocess.run(  # noqa: S603 - our own interpreter and file
        [command[0], "-I", *command[1:], *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stderr == ""
    return done.returncode, json.loads(done.stdout)


def test_the_example_client_verifies_batches_and_reads_changes(live_server, tmp_path):
    system = registered_system()
    guarantee = current_guarantee()
    other = current_guarantee()
    key = system.credentials.api_key
    # verify one, anonymously and with the key
    code, answer = _run(live_server, None, "verify", guarantee.number, KEY)
    assert code == 0
    assert answer["contract_number"] == guarantee.number
    code, answer = _run(live_server, key, "verify", guarantee.number, OTHER_KEY)
    assert (code, answer["status"], answer["code"]) == (1, 404, "not_found")
    # a batch from a CSV file
    pairs = tmp_path / "pairs.csv"
    with pairs.open("w", newline="") as file:
        csv.writer(file).writerows([(guarantee.number, KEY), (other.number, KEY), (other.number, OTHER_KEY)])
    code, answer = _run(live_server, key, "batch", str(pairs))
    assert code == 0
    assert [item["status"] for item in answer] == [200, 200, 404]
    # what changed since
    since = timezone.now().isoformat()
    guarantee_cancel(guarantee=other, cancelled_by=None, reason="工事の中止")
    code, answer = _run(live_server, key, "changes", since)
    assert code == 0
    assert [(c["type"], c["contract_number"]) for c in answer] == [("cancelled", other.number)]
