"""The audit trail's actions: each app declares its own (guarantees.audit), the one table stores the
values, and only a registered action is written."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from advances import audit_actions as advance_actions
from authkeys import audit_actions as authkey_actions
from certificates import audit_actions as certificate_actions
from guarantees import audit
from guarantees import audit_actions as guarantee_actions
from guarantees.audit import AuditAction, UnknownAuditAction
from guarantees.models import AuditEvent
from guarantees.services import audit_record
from notifications import audit_actions as notification_actions
from tests.fresh_process import last_json_line

# The values stored in every row so far and the labels staff read for them: neither may change.
STORED = {
    "guarantees": {
        "guarantee.registered": "保証契約の登録",
        "guarantee.changed": "保証契約の変更",
        "guarantee.cancelled": "保証契約の解約",
        "guarantee.revoked": "保証契約の取消",
    },
    "certificates": {
        "certificate.issued": "証書の発行",
        "certificate.version_issued": "変更証書の発行",
    },
    "authkeys": {
        "authkey.issued": "認証キーの発行",
        "authkey.reissued": "認証キーの再発行",
        "authkey.displayed": "認証キーの表示",
    },
    "notifications": {
        "key.submitted": "認証キーの発注者への提出",
        "key.receipt_confirmed": "発注者による受領確認",
        "subscription.confirmed": "変更通知の登録",
        "subscription.cancelled": "変更通知の停止",
    },
    "advances": {
        "use_plan.saved": "使途内訳明細書の作成",
        "use_plan.amended": "使途内訳明細書の変更",
        "withdrawal.requested": "払出依頼書の作成",
    },
}
MODULES = {
    "guarantees": guarantee_actions,
    "certificates": certificate_actions,
    "authkeys": authkey_actions,
    "notifications": notification_actions,
    "advances": advance_actions,
}

_PROBE = """
import json, sys
import django
django.setup()
from guarantees import audit
print(json.dumps({str(action): str(action.label) for action in audit.registered()}, ensure_ascii=False))
"""


def test_every_apps_actions_are_registered_once_django_is_set_up():
    # Given a fresh process that only sets Django up, as every worker and web process does
    registered = last_json_line(_PROBE)
    # then every app's actions are there, with the values and labels the rows were written with
    assert registered == {value: label for actions in STORED.values() for value, label in actions.items()}


@pytest.mark.parametrize("app", sorted(STORED))
def test_each_app_declares_its_own_actions_in_its_audit_actions_module(app):
    declared = [value for value in vars(MODULES[app]).values() if isinstance(value, AuditAction)]
    assert {str(action): str(action.label) for action in declared} == STORED[app]
    assert all(audit.action_for(action) is action for action in declared)


def test_an_action_is_its_stored_value_and_stays_the_registered_one_when_copied():
    action = guarantee_actions.GUARANTEE_REGISTERED
    assert action == "guarantee.registered"
    assert json.dumps({"action": action}) == '{"action": "guarantee.registered"}'
    assert copy.deepcopy(action) is action
    assert pickle.loads(pickle.dumps(action)) is action  # noqa: S301 - our own pickle
    with pytest.raises(AttributeError):
        action.label = "別の名前"


@pytest.mark.django_db
def test_a_misspelt_action_is_refused_and_nothing_is_written():
    with pytest.raises(TypeError, match=r"guarantees\.audit\.register"):
        audit_record(action="guarantee.registerd", actor=None)
    with pytest.raises(UnknownAuditAction):
        audit_record(action=AuditAction("guarantee.registerd", "保証契約の登録"), actor=None)
    # an action made by hand under a registered value is not the registered one either
    with pytest.raises(UnknownAuditAction):
        audit_record(action=AuditAction("guarantee.registered", "偽の名前"), actor=None)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_registered_action_is_stored_as_its_value():
    event = audit_record(action=certificate_actions.CERTIFICATE_ISSUED, actor=None)
    event.refresh_from_db()
    assert type(event.action) is str
    assert event.action == "certificate.issued"
    assert event.action_label == "証書の発行"


@pytest.mark.parametrize(
    "value",
    [
        "guarantee.registered",  # taken by guarantees
        "Guarantee.Registered",
        "guarantee registered",
        "registered",
        "guarantee.registered.twice",
        "a." + "b" * 39,
    ],
)
def test_a_value_taken_or_not_of_the_form_noun_verb_cannot_be_registered(value):
    before = audit.registered()
    with pytest.raises(ValueError, match=repr(value)):
        audit.register(value, "名前")
    assert audit.registered() == before


def test_a_stored_value_nobody_declares_reads_as_itself():
    assert audit.label_for("guarantee.registered") == "保証契約の登録"
    assert audit.label_for("retired.action") == "retired.action"
    assert AuditEvent(action="retired.action").action_label == "retired.action"
