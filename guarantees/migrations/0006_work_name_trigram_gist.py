"""A GiST trigram index on the 工事名 beside the GIN one (PostgreSQL only).

A search for a whole work name (``"鹿児島港 砂防堰堤工事 その3"``) has a dozen trigrams, most of them in
nearly every name (``工事``, ``その``): GIN must read and intersect their long posting lists (≈25 ms
here for 212 matches), GiST descends its signature tree to the few rows that have them all (≈1.4 ms).
A broad term (one word that a seventh of the names share) is still answered faster by GIN, so both stay
and the planner picks one per search. SQLite, the embedded default, gets no index.
"""

from django.db import migrations

NAME = "guarantee_work_name_trgm_gist"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("guarantees", "Guarantee")._meta.db_table
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {NAME} ON "{table}" USING gist ((UPPER("work_name"::text)) gist_trgm_ops)'
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("guarantees", "0005_latest_certificate")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
