"""「発注者へ提出」 rules kept by the service: the department when none is registered, the guarantee in
force, and the orderer's address on the 受領確認 record behind the portal's reverse proxy."""

# mypy: disable-error-code="union-attr"
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from guarantees.models import AuditEvent
from notifications.audit_actions import KEY_SUBMITTED
from notifications.errors import NotificationError
from notifications.models import KeySubmission, OutboxMessage
from notifications.submissions import key_submission_submit
from tests.factories import DepartmentFactory, OrdererFactory, issue_guarantee

from .helpers import send_all

pytestmark = pytest.mark.django_db


def _in_force(contractor, orderer, **overrides):
    """An electronic guarantee in force today, issued as e-Net issues it: no department registered."""
    today = timezone.localdate()
    values = {
        "contractor": contractor,
        "orderer": orderer,
        "concluded_on": today - dt.timedelta(days=30),
        "guarantee_period_end": today + dt.timedelta(days=200),
        "construction_end_date": today + dt.timedelta(days=200),
    }
    values.update(overrides)
    return issue_guarantee(**values)


def test_the_first_press_goes_to_the_orderers_only_department_when_none_is_registered(
    client, user_a, contractor_a
):
    # given a guarantee issued through e-Net (no department on it) for an orderer with one department
    orderer = OrdererFactory()
    DepartmentFactory(orderer=orderer, name="建設課", email="kensetsu@town.example.lg.jp")
    guarantee = _in_force(contractor_a, orderer)
    assert guarantee.orderer_department_id is None
    client.force_login(user_a)

    # when the contractor presses 「発注者へ提出」 on the key screen (a POST without a department)
    response = client.post(reverse("notifications:submit", args=[guarantee.pk]), {"next": "/"}, follow=True)

    # then the key goes to that department at once
    assert "提出先の部署が登録されていません" not in response.content.decode()
    [submission] = KeySubmission.objects.filter(guarantee=guarantee)
    assert submission.to == "kensetsu@town.example.lg.jp"
    assert "建設課 へ認証キーを提出しました" in response.content.decode()


def test_with_several_departments_the_first_press_goes_straight_to_the_choice(client, user_a, contractor_a):
    # given an orderer with two departments and a guarantee naming none
    orderer = OrdererFactory()
    DepartmentFactory(orderer=orderer, name="建設課")
    keiyaku = DepartmentFactory(orderer=orderer, name="契約検査課", email="keiyaku@town.example.lg.jp")
    guarantee = _in_force(contractor_a, orderer)
    client.force_login(user_a)

    # when the contractor presses 「発注者へ提出」 on the key screen
    url = reverse("notifications:submit", args=[guarantee.pk])
    pressed = client.post(url, {"next": f"/keys/{guarantee.number}/"})

    # then they land on the page that offers the departments, with no error and nothing sent
    assert pressed.status_code == 302
    assert pressed["Location"].startswith(url)
    choice = client.get(pressed["Location"]).content.decode()
    assert "提出先の部署を選んでください。" in choice
    assert "提出先の部署が登録されていません" not in choice
    assert 'name="department"' in choice
    assert '<option value="" selected>（提出先を選んでください）</option>' in choice
    assert f'value="/keys/{guarantee.number}/"' in choice
    assert not OutboxMessage.objects.exists()

    # when they press again without choosing, then they are asked to choose, and nothing is sent
    unchosen = client.post(url, {"department": ""})
    assert unchosen.status_code == 400
    assert "提出先の部署を選んでください。" in unchosen.content.decode()
    assert not OutboxMessage.objects.exists()

    # when they choose 契約検査課, then the key goes there
    client.post(url, {"department": keiyaku.pk})
    assert KeySubmission.objects.get(guarantee=guarantee).to == "keiyaku@town.example.lg.jp"


def test_an_expired_guarantees_key_posted_by_hand_is_refused_by_the_service(client, user_a, contractor_a):
    # given a guarantee whose period ended yesterday: still 有効 in the stored status
    orderer = OrdererFactory()
    DepartmentFactory(orderer=orderer, name="建設課")
    today = timezone.localdate()
    guarantee = _in_force(
        contractor_a,
        orderer,
        concluded_on=today - dt.timedelta(days=400),
        guarantee_period_end=today - dt.timedelta(days=1),
        construction_end_date=today - dt.timedelta(days=1),
    )
    assert guarantee.status == guarantee.Status.ACTIVE
    client.force_login(user_a)

    # when the contractor POSTs the submission by hand (the key screen shows no button)
    response = client.post(reverse("notifications:submit", args=[guarantee.pk]))

    # then it is refused with the status a person reads, and nothing is sent or audited
    assert response.status_code == 400
    assert "保証期間満了の保証契約は提出できません。" in response.content.decode()
    assert not KeySubmission.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not AuditEvent.objects.filter(action=KEY_SUBMITTED).exists()
    # and the service itself says so to any other caller
    with pytest.raises(NotificationError) as refused:
        key_submission_submit(guarantee=guarantee, submitted_by=user_a)
    assert refused.value.code == "not_in_force"


def test_the_receipt_records_the_orderers_address_behind_the_trusted_proxy(
    settings, smtp_mail, client, user_a, contractor_a
):
    # given the portal behind one reverse proxy (10.0.0.5) and a key submitted to the orderer
    settings.TRUSTED_PROXY_HOPS = 1
    orderer = OrdererFactory()
    DepartmentFactory(orderer=orderer, name="建設課", email="kensetsu@town.example.lg.jp")
    guarantee = _in_force(contractor_a, orderer)
    client.force_login(user_a)
    client.post(reverse("notifications:submit", args=[guarantee.pk]))
    send_all()
    [mail] = smtp_mail.handler.received
    path = re.search(r"https?://[^/\s]+(/notifications/receipt/[^\s\"<]+/)", mail.text).group(1)
    client.logout()

    # when the orderer at 198.51.100.7 confirms receipt through the proxy
    client.post(path, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7")

    # then the record keeps the orderer's address, not the proxy's nor the forged left entry
    assert KeySubmission.objects.get(guarantee=guarantee).confirmed_from == "198.51.100.7"


def test_an_ipv6_orderer_is_recorded_as_its_network_like_everywhere_else(
    settings, smtp_mail, client, user_a, contractor_a
):
    settings.TRUSTED_PROXY_HOPS = 1
    orderer = OrdererFactory()
    DepartmentFactory(orderer=orderer, name="建設課")
    guarantee = _in_force(contractor_a, orderer)
    client.force_login(user_a)
    client.post(reverse("notifications:submit", args=[guarantee.pk]))
    send_all()
    [mail] = smtp_mail.handler.received
    path = re.search(r"https?://[^/\s]+(/notifications/receipt/[^\s\"<]+/)", mail.text).group(1)
    client.logout()

    client.post(path, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="2001:db8:1:2:3:4:5:6")

    assert KeySubmission.objects.get(guarantee=guarantee).confirmed_from == "2001:db8:1:2::/64"
