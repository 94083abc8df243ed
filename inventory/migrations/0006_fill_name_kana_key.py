from django.db import migrations

from backoffice.kana import kana_key


def fill(apps, schema_editor):
    """Existing suppliers and products get the search key of their kana, as their services write it."""
    for name in ("Supplier", "Product"):
        model = apps.get_model("inventory", name)
        rows = list(model.objects.exclude(name_kana="").only("pk", "name_kana"))
        for row in rows:
            row.name_kana_key = kana_key(row.name_kana)
        model.objects.bulk_update(rows, ["name_kana_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0005_name_kana_key")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
