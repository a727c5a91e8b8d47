"""A message (「保存しました」, 「受け付けました」, an error) appears once on the page it lands on.

base.html renders the messages of every page; no page renders them a second time.
"""
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from guarantees.models import Guarantee
from tests.factories import DepartmentFactory, issue_guarantee

from .conftest import make_draft, pdf

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _count(response, text: str) -> int:
    assert response.status_code == 200, response.status_code
    return response.content.decode().count(text)


def test_a_saved_draft_says_so_once(client, user_a, orderer, tokyo_branch):
    # given a draft on its work step
    draft = make_draft(user_a, orderer, tokyo_branch)
    client.force_login(user_a)
    url = reverse("applications:step", args=[draft.pk, "work"])
    data = {
        "work_name": "国道〇号線 道路改良工事 その1",
        "work_place": "東京都千代田区",
        "contract_date": "2026-06-20",
        "construction_start": "2026-06-21",
        "construction_end": "2027-03-15",
        "save_only": "1",
    }

    # when 下書きを保存 is pressed
    response = client.post(url, data, follow=True)

    # then the step page says it once
    assert _count(response, "下書きを保存しました。") == 1


def test_an_uploaded_document_says_so_once(client, user_a, orderer, tokyo_branch):
    draft = make_draft(user_a, orderer, tokyo_branch, upload=False)
    client.force_login(user_a)
    url = reverse("applications:documents", args=[draft.pk])
    response = client.post(url, {"doc_type": "contract", "file": pdf()}, follow=True)
    assert _count(response, "書類を登録しました。") == 1


def test_a_submitted_application_says_so_once(client, user_a, orderer, tokyo_branch):
    draft = make_draft(user_a, orderer, tokyo_branch)
    client.force_login(user_a)
    response = client.post(reverse("applications:confirm", args=[draft.pk]), follow=True)
    assert _count(response, "申込を受け付けました。審査の結果をお待ちください。") == 1


def test_a_discarded_draft_says_so_once(client, user_a, orderer, tokyo_branch):
    draft = make_draft(user_a, orderer, tokyo_branch, upload=False)
    client.force_login(user_a)
    response = client.post(reverse("applications:discard", args=[draft.pk]), follow=True)
    assert _count(response, "下書きを削除しました。") == 1


def test_a_change_that_cannot_be_made_says_why_once(client, user_a, orderer):
    # given a guarantee whose period ended
    ended = issue_guarantee(
        contractor=user_a.contractor,
        orderer=orderer,
        concluded_on=dt.date(2024, 4, 1),
        guarantee_period_end=dt.date(2025, 3, 31),
        construction_end_date=dt.date(2025, 3, 31),
    )
    client.force_login(user_a)
    response = client.post(
        reverse("applications:change_new", args=[ended.number]), {"purpose": "change"}, follow=True
    )
    assert _count(response, "有効な保証契約だけが変更・解約できます。") == 1


def test_a_key_submitted_to_the_orderer_says_so_once(client, user_a, orderer):
    department = DepartmentFactory(orderer=orderer, name="建設課", email="kensetsu@city.example.lg.jp")
    guarantee: Guarantee = issue_guarantee(
        contractor=user_a.contractor, orderer=orderer, orderer_department=department
    )
    client.force_login(user_a)
    response = client.post(reverse("notifications:submit", args=[guarantee.pk]), follow=True)
    assert _count(response, "へ認証キーを提出しました") == 1


def test_a_changed_password_says_so_once(client, user_a):
    client.force_login(user_a)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "another long passphrase 2026",
            "new_password2": "another long passphrase 2026",
        },
        follow=True,
    )
    assert _count(response, "パスワードを変更しました。") == 1


def test_only_the_base_template_renders_messages():
    # given every template of the portal
    renderers = sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(r"{%\s*for\s+\w+\s+in\s+messages\s*%}", path.read_text(encoding="utf-8"))
    )
    # then only base.html loops over the messages: a page that did it too showed each one twice
    assert renderers == ["base.html"]
