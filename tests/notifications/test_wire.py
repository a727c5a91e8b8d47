"""The outbox's mails on the wire read exactly as Django's own message of the same mail."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.core.mail import EmailMultiAlternatives

from notifications.wire import PortalMail

SUBJECT = "【電子保証ポータル】電子証書・認証キーの登録お知らせ（2026/12/03）" * 2
TEXT = "株式会社ベンチ建設 様\n\n次の電子証書・認証キーを登録しました。\n■ 1070000473  前払\n\n"
HTML = "<p>株式会社ベンチ建設 様</p><table><tr><td>1070000473</td></tr></table>"
HEADERS = {"Message-ID": "<abc@portal.example.jp>", "X-Portal-Mail": "registration-notice:1:c@example.jp"}


def _both(to: str = "c@example.jp") -> tuple[email.message.EmailMessage, email.message.EmailMessage]:
    parsed = []
    for cls in (PortalMail, EmailMultiAlternatives):
        mail = cls(
            subject=SUBJECT,
            body=TEXT,
            from_email="電子保証ポータル <no-reply@portal.example.jp>",
            to=[to],
            headers=HEADERS,
        )
        mail.attach_alternative(HTML, "text/html")
        raw = mail.message(policy=email.policy.SMTP).as_bytes()
        assert b"\r\n" in raw
        assert b"\n" not in raw.replace(b"\r\n", b"")
        parsed.append(email.message_from_bytes(raw, policy=email.policy.default))
    return parsed[0], parsed[1]


def test_headers_and_bodies_decode_to_what_django_would_have_sent() -> None:
    ours, django = _both()
    for header in ("Subject", "From", "To", "Message-ID", "X-Portal-Mail", "MIME-Version"):
        assert str(ours[header]) == str(django[header]), header
    assert ours.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        ours_part, django_part = ours.get_body((kind,)), django.get_body((kind,))
        assert ours_part is not None
        assert django_part is not None
        assert ours_part.get_content() == django_part.get_content()
        assert ours_part.get_content_charset() == "utf-8"
    assert ours["Date"].datetime is not None


def test_an_international_domain_is_sent_in_idna() -> None:
    ours, django = _both(to="keiyaku@例え.jp")
    assert str(ours["To"]) == str(django["To"]) == "keiyaku@xn--r8jz45g.jp"


@pytest.mark.parametrize("extra", ["attachment", "second alternative", "cc"])
def test_what_the_outbox_never_sends_is_refused_rather_than_dropped(extra: str) -> None:
    mail = PortalMail(subject="s", body="b", from_email="no-reply@portal.example.jp", to=["c@example.jp"])
    mail.attach_alternative("<p>b</p>", "text/html")
    if extra == "attachment":
        mail.attach("a.txt", "a", "text/plain")
    elif extra == "second alternative":
        mail.attach_alternative("b", "text/plain")
    else:
        mail.cc = ["d@example.jp"]
    with pytest.raises(ValueError, match="PortalMail"):
        mail.message()


def _portal_mail(**overrides: object) -> PortalMail:
    fields: dict[str, object] = {
        "subject": SUBJECT,
        "body": TEXT,
        "from_email": "電子保証ポータル <no-reply@portal.example.jp>",
        "to": ["c@example.jp"],
        "headers": HEADERS,
    }
    fields.update(overrides)
    mail = PortalMail(**fields)
    mail.attach_alternative(HTML, "text/html")
    return mail


def test_the_bytes_are_a_well_formed_message_whatever_policy_the_backend_asks_for() -> None:
    message = _portal_mail().message(policy=email.policy.SMTP)
    raw = message.as_bytes()
    assert raw == bytes(message) == message.as_string().encode("ascii")
    head, _blank, body = raw.partition(b"\r\n\r\n")
    assert max(len(line) for line in head.split(b"\r\n")) <= 80  # folded headers (RFC 5322: 78 advised)
    assert max(len(line) for line in body.split(b"\r\n")) <= 76  # base64 lines
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert not parsed.defects
    assert [part.get_content_type() for part in parsed.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert all(not part.defects for part in parsed.walk())
    assert message["Message-ID"] == HEADERS["Message-ID"]  # what was written can be read back
    # two mails never share a boundary
    another = email.message_from_bytes(_portal_mail().message().as_bytes())
    assert parsed.get_boundary() != another.get_boundary()


@pytest.mark.parametrize(
    "overrides",
    [
        {"subject": "件名\r\nBcc: someone@example.jp"},
        {"headers": {"X-Portal-Mail": "key\nBcc: someone@example.jp"}},
        {"headers": {"Subject": "another subject"}},
    ],
)
def test_a_header_cannot_smuggle_another_header(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="PortalMail"):
        _portal_mail(**overrides).message()
