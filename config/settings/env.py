"""Small, strict readers for settings that come from the environment.

An unset or empty variable gives the default. A value that is set but cannot be read (a typo in a
boolean, a word for a number, a URL without its host) stops start-up with ``ImproperlyConfigured``
naming the variable and what it accepts: a setting is never silently read as something else.
"""

import os
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
HOSTLESS_SCHEMES = ("sqlite", "unix")


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value


def _refuse(name: str, value: str, accepted: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"The environment variable {name} must be {accepted}; it is {value!r}.")


def env_str(name: str, default: str | None = None) -> str:
    value = _raw(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """1/0, true/false, yes/no or on/off, in any case."""
    value = _raw(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    accepted = "one of " + ", ".join(TRUE_WORDS + FALSE_WORDS) + " (in any case)"
    raise _refuse(name, value, accepted)


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """A whole number in decimal digits (an optional sign), at least ``minimum`` when given."""
    value = _raw(name)
    if value is None:
        return default
    text = value.strip()
    digits = text[1:] if text[:1] in "+-" else text
    accepted = "an integer" if minimum is None else f"an integer of at least {minimum}"
    if not (digits.isascii() and digits.isdigit()):
        raise _refuse(name, value, accepted)
    number = int(text)
    if minimum is not None and number < minimum:
        raise _refuse(name, value, accepted)
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """Comma-separated items; blanks around them are dropped."""
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: Iterable[str]) -> str:
    """One of ``choices``, compared in any case and returned as the choice is spelt."""
    options = list(choices)
    value = _raw(name)
    if value is None:
        return default
    for option in options:
        if value.strip().lower() == option.lower():
            return option
    raise _refuse(name, value, "one of " + ", ".join(options))


def env_url(name: str, default: str, *, schemes: Iterable[str]) -> str:
    """A URL with one of ``schemes`` and a host (a file or socket path for sqlite:// and unix://)."""
    allowed = tuple(schemes)
    value = _raw(name)
    if value is None:
        return default
    text = value.strip()
    accepted = "a URL starting with " + " or ".join(f"{scheme}://" for scheme in allowed)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError as exc:
        raise _refuse(name, value, accepted) from exc
    if parts.scheme not in allowed or "://" not in text:
        raise _refuse(name, value, accepted)
    if parts.scheme not in HOSTLESS_SCHEMES and not parts.hostname:
        raise _refuse(name, value, accepted + " and a host")
    if any(character.isspace() for character in text):
        raise _refuse(name, value, accepted + " without spaces")
    return text
