from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    # The default cache is a database table (CACHES in settings) holding the API throttle
    # counts for every worker: `migrate` alone sets a database up. Idempotent; does
    # nothing when CACHE_URL points to Redis.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0005_api_tokens"),
    ]

    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop),
    ]
