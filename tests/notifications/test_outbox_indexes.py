"""The outbox table carries only the indexes its queries read: every mail writes each of them."""

from __future__ import annotations

import pytest
from django.db import connection

from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_the_outbox_has_the_indexes_its_queries_read_and_no_others() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, OutboxMessage._meta.db_table)
    indexed = sorted(
        (tuple(spec["columns"]), spec["unique"])
        for spec in constraints.values()
        if (spec["index"] or spec["unique"]) and not spec["primary_key"]
    )
    assert indexed == [
        (("claimed_at",), False),  # outbox_sending: leases that ran out
        (("created_at",), False),  # the staff's list, newest first
        (("idempotency_key",), True),  # one row per key: a retried enqueue adds nothing
        (("next_attempt_at", "id"), False),  # outbox_due: the claim
    ]
