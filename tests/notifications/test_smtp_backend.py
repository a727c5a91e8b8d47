"""The portal's SMTP backend answers every envelope address exactly as Django's does."""

from __future__ import annotations

import pytest
from django.core.mail import mailers
from django.core.mail.backends import smtp as django_smtp
from django.test import override_settings

from notifications import smtp

ADDRESSES = [
    "電子保証ポータル <no-reply@portal.example.jp>",
    "no-reply@portal.example.jp",
    "keiyaku@例え.jp",
    '"Kensetsu, Ka" <kensetsu@town.nakatane.example.lg.jp>',
]
REFUSED = ["not an address\r\nBcc: x@example.jp", "a@b.jp, c@d.jp", "けいやく@example.jp"]


def _backend(cls: type[django_smtp.EmailBackend]) -> django_smtp.EmailBackend:
    mailer = {"BACKEND": f"{cls.__module__}.{cls.__qualname__}", "OPTIONS": {"host": "127.0.0.1", "port": 25}}
    with override_settings(MAILERS={"default": mailer}):
        backend = mailers["default"]  # never connects: prep_address is all these tests call
    assert type(backend) is cls
    return backend


@pytest.mark.parametrize("address", ADDRESSES)
def test_an_address_is_prepared_as_django_prepares_it_the_first_time_and_every_time(address: str) -> None:
    ours, django = _backend(smtp.EmailBackend), _backend(django_smtp.EmailBackend)
    expected = django.prep_address(address)
    assert ours.prep_address(address) == expected
    assert ours.prep_address(address) == expected  # remembered
    assert ours.prep_address(address, force_ascii=False) == django.prep_address(address, force_ascii=False)


@pytest.mark.parametrize("address", REFUSED)
def test_an_address_django_refuses_is_refused_every_time(address: str) -> None:
    ours, django = _backend(smtp.EmailBackend), _backend(django_smtp.EmailBackend)
    with pytest.raises(ValueError, match="Invalid address"):
        django.prep_address(address)
    for _attempt in range(2):
        with pytest.raises(ValueError, match="Invalid address"):
            ours.prep_address(address)
