"""Trigram indexes for partial-match search on Japanese text (PostgreSQL only).

Django's ``icontains`` compiles to ``UPPER(col::text) LIKE UPPER(%s)``: the index must be on that
expression, or PostgreSQL still scans every row (perf-notes.md). SQLite, the embedded default,
gets no index and needs none at demo sizes.
"""

from django.db import migrations

INDEXES = [
    ("guarantee_work_name_trgm", "guarantees_guarantee", "work_name"),
    ("guarantee_number_trgm", "guarantees_guarantee", "number"),
    ("orderer_title_trgm", "guarantees_orderer", "title"),
    ("contractor_company_trgm", "guarantees_contractor", "company_name"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("guarantees", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
