"""After verifying, an orderer hears when the certificate changes or the guarantee ends."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import GuaranteeChanges, guarantee_change
from certificates.tokens import verified_access_token
from guarantees.services import guarantee_cancel
from notifications.models import ChangeSubscription, OutboxMessage
from notifications.subscriptions import subscriptions_notify_change
from tests.factories import issue_guarantee

from .helpers import send_all

pytestmark = pytest.mark.django_db


def link_path(text: str, part: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/notifications/{part}/[^\s\"<]+/)", text)
    assert match is not None, text
    return match.group(1)


def test_an_orderer_subscribes_after_verifying_and_hears_about_a_change_and_the_cancellation(
    smtp_mail, client, contractor_a, orderer
):
    # given an orderer who has just verified a certificate
    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer)
    token = verified_access_token(certificate_id=Certificate.objects.get(guarantee=guarantee).pk)

    # when they register an address (typed in full-width) and open the confirmation link
    page = client.get(reverse("notifications:subscribe"), {"token": token})
    assert page.status_code == 200
    done = client.post(
        reverse("notifications:subscribe"), {"token": token, "email": "ｗａｔｃｈ@city.example.lg.jp"}
    )
    assert done.status_code == 200
    send_all()
    [confirmation] = smtp_mail.handler.received
    assert confirmation.rcpt_tos == ["watch@city.example.lg.jp"]
    confirm = link_path(confirmation.text, "subscriptions/confirm")
    assert client.get(confirm).status_code == 200
    assert not ChangeSubscription.objects.get().is_active  # opening the link alone does nothing
    client.post(confirm)

    # and the guarantee is changed, then cancelled
    guarantee_change(
        guarantee=guarantee, changes=GuaranteeChanges(guarantee_amount=35_000_000), changed_by=None
    )
    guarantee_cancel(guarantee=guarantee, cancelled_by=None, reason="工事の中止")
    send_all()

    # then the address heard about both
    changed, ended = smtp_mail.handler.received[1:]
    assert "変更" in changed.subject
    assert guarantee.number in changed.text
    assert "35,000,000" in changed.text
    assert "解約" in ended.subject
    assert guarantee.number in ended.text

    # and after unsubscribing it hears nothing more
    client.post(link_path(ended.text, "subscriptions/stop"))
    latest = Certificate.objects.filter(guarantee=guarantee).order_by("-version").first()
    assert subscriptions_notify_change(certificate=latest) == 0
    assert not ChangeSubscription.objects.get().is_active


def test_an_address_that_never_confirmed_hears_nothing(smtp_mail, client, contractor_a, orderer):
    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer)
    token = verified_access_token(certificate_id=Certificate.objects.get(guarantee=guarantee).pk)
    client.post(reverse("notifications:subscribe"), {"token": token, "email": "victim@example.jp"})
    guarantee_change(
        guarantee=guarantee, changes=GuaranteeChanges(guarantee_amount=35_000_000), changed_by=None
    )
    send_all()
    assert [item.key.split(":")[0] for item in smtp_mail.handler.received] == ["subscription-confirm"]
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.CERTIFICATE_CHANGED).exists()


def test_subscribing_without_a_valid_verification_is_refused(client):
    response = client.post(reverse("notifications:subscribe"), {"token": "forged", "email": "a@example.jp"})
    assert response.status_code == 403
    assert "照会の有効期限が切れました" in response.content.decode()
    assert not ChangeSubscription.objects.exists()


def test_a_malformed_address_gets_a_japanese_message(client, contractor_a, orderer):
    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer)
    token = verified_access_token(certificate_id=Certificate.objects.get(guarantee=guarantee).pk)
    response = client.post(reverse("notifications:subscribe"), {"token": token, "email": "not-an-address"})
    assert response.status_code == 400
    assert "メールアドレスの形式が正しくありません。" in response.content.decode()


def test_an_unsubscribe_link_is_no_good_as_a_confirmation_link(client, contractor_a, orderer):
    from notifications import tokens

    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer)
    subscription = ChangeSubscription.objects.create(guarantee=guarantee, email="a@example.jp")
    stop = tokens.link_token(purpose=tokens.UNSUBSCRIBE, pk=subscription.pk, nonce=subscription.nonce)
    response = client.post(reverse("notifications:subscription_confirm", args=[stop]))
    assert response.status_code == 404
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
