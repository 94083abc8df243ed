from django.db import migrations

from backoffice.kana import kana_key


def rekey(apps, schema_editor):
    """Learned payer names in the form the bank import now compares (small kana as large,
    hiragana as katakana, a dash after kana as ー). A name whose new form is already
    learned (for the same customer, or another one) stays as it was: nothing is lost."""
    PayerName = apps.get_model("billing", "PayerName")
    taken = set(PayerName.objects.values_list("name", flat=True))
    for payer in PayerName.objects.order_by("pk"):
        key = kana_key(payer.name)
        if key != payer.name and key not in taken:
            taken.discard(payer.name)
            taken.add(key)
            payer.name = key
            payer.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_unambiguous_labels")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
