"""監査ログ in the admin: each row's 操作 in Japanese, and a filter of every registered action."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from guarantees import audit
from guarantees.models import AuditEvent
from tests.factories import issue_guarantee

CHANGELIST = "admin:guarantees_auditevent_changelist"


@pytest.fixture
def staff(client, head_office):
    client.force_login(head_office)
    return client


def _cells(page: str) -> list[str]:
    return re.findall(r'<td class="field-action_display">([^<]*)</td>', page)


def test_each_row_shows_its_action_as_staff_read_it(staff):
    guarantee = issue_guarantee()
    stored = list(AuditEvent.objects.filter(guarantee=guarantee).values_list("action", flat=True))
    assert {"guarantee.registered", "certificate.issued"} <= set(stored)

    page = staff.get(reverse(CHANGELIST)).content.decode()

    labels = {
        "guarantee.registered": "保証契約の登録",
        "certificate.issued": "証書の発行",
        "authkey.issued": "認証キーの発行",
    }
    assert sorted(_cells(page)) == sorted(labels[value] for value in stored)


def test_the_filter_lists_every_registered_action_and_keeps_its_address(staff):
    issue_guarantee()
    page = staff.get(reverse(CHANGELIST)).content.decode()
    for action in audit.registered():
        assert f"?action__exact={action}" in page.replace("&amp;", "&")
        assert str(action.label) in page

    filtered = staff.get(reverse(CHANGELIST), {"action__exact": "certificate.issued"}).content.decode()
    assert _cells(filtered) == ["証書の発行"]


def test_a_rows_page_names_its_action(staff):
    guarantee = issue_guarantee()
    event = AuditEvent.objects.get(guarantee=guarantee, action="guarantee.registered")
    page = staff.get(reverse("admin:guarantees_auditevent_change", args=[event.pk])).content.decode()
    assert "保証契約の登録" in page
    assert "guarantee.registered" not in page
    assert str(event) in page  # the title: 保証契約の登録 and the time in Japan
