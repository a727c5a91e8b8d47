"""Fixtures for an advance's paperwork. An advance is often issued through the application flow in
these tests, so they run on the same day, with the same uploads directory, demo rate table and
reviewing clerks as the application flow's tests (tests/applications/conftest.py)."""

from tests.applications.conftest import (
    _demo_rates,
    _media_root,
    _today,
    other_branch_reviewer,
    reviewer,
)

__all__ = ["_demo_rates", "_media_root", "_today", "other_branch_reviewer", "reviewer"]
