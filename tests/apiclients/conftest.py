"""Fixtures for API clients: a registered orderer system with live credentials, isolated limits."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from django.test import Client
from django.utils import timezone

from apiclients.models import ApiClient
from apiclients.services import IssuedCredentials, api_credentials_issue
from tests.factories import ApiClientFactory, issue_guarantee
from tests.verification.conftest import _isolated_limits  # noqa: F401 - autouse: own Redis keys
from tests.verification.helpers import KEY


@dataclass
class System:
    client: ApiClient
    credentials: IssuedCredentials

    @property
    def auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.credentials.api_key}"}


def registered_system(**fields: object) -> System:
    client = ApiClientFactory(**fields)
    credentials = api_credentials_issue(client=client, issued_by=None)
    client.refresh_from_db()
    return System(client=client, credentials=credentials)


@pytest.fixture
def system(db) -> System:
    return registered_system()


@pytest.fixture
def other_system(db) -> System:
    return registered_system()


@pytest.fixture
def http() -> Client:
    return Client(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="GECS-like e-contract system/2.1")


def current_guarantee(**overrides: object):
    """An electronic 前払金保証 in force today, whatever today is."""
    today = timezone.localdate()
    values: dict[str, object] = {
        "key": KEY,
        "concluded_on": today - dt.timedelta(days=30),
        "guarantee_period_end": today + dt.timedelta(days=200),
        "construction_end_date": today + dt.timedelta(days=200),
    }
    values.update(overrides)
    return issue_guarantee(**values)


@pytest.fixture
def advance(db):
    return current_guarantee()


EXAMPLE_CLIENT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "verify_client.py"


@functools.cache
def example_client() -> ModuleType:
    """docs/examples/verify_client.py, the documented client, loaded as a module."""
    spec = importlib.util.spec_from_file_location("verify_client", EXAMPLE_CLIENT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
