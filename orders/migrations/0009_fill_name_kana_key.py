from django.db import migrations

from backoffice.kana import kana_key


def fill(apps, schema_editor):
    """Existing customers get the search key of their kana, as customer_create writes it."""
    Customer = apps.get_model("orders", "Customer")
    rows = list(Customer.objects.exclude(name_kana="").only("pk", "name_kana"))
    for row in rows:
        row.name_kana_key = kana_key(row.name_kana)
    Customer.objects.bulk_update(rows, ["name_kana_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("orders", "0008_name_kana_key")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
