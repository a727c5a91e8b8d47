"""Once loaded the demo rate table 「デモ用の料率」 into every database, production's included.

The demo's rates are not production data: ``manage.py seed_demo`` loads them now (demo/rates.py),
and staff enter the real table in admin (保証料率). The migration stays, empty, so that the migration
graph and the databases that already applied it stay valid; rows it loaded there are left as they
are (quotes made while they were in force refer to them).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]

    operations = []
