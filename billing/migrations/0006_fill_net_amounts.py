from collections import defaultdict

from django.db import migrations
from django.db.models import F

from backoffice.money import net_amounts


def fill(apps, schema_editor):
    """Lines written before `net_amount` existed: what their document states. Shipment lines
    billed by an invoice take the invoice's extraction (once per rate over the invoice),
    the others their delivery note's; credit note lines their credit note's. Tax-exclusive
    lines are their amounts."""
    CompanyProfile = apps.get_model("backoffice", "CompanyProfile")
    ShipmentLine = apps.get_model("orders", "ShipmentLine")
    InvoiceShipment = apps.get_model("billing", "InvoiceShipment")
    CreditNoteLine = apps.get_model("billing", "CreditNoteLine")
    profile = CompanyProfile.objects.order_by("pk").first()
    mode = profile.rounding_mode if profile else "down"
    ShipmentLine.objects.update(net_amount=F("amount"))
    CreditNoteLine.objects.update(net_amount=F("amount"))

    billed = {
        shipment_id: (invoice_id, tax_mode)
        for shipment_id, invoice_id, tax_mode in InvoiceShipment.objects.exclude(
            invoice__status="cancelled"
        ).values_list("shipment_id", "invoice_id", "invoice__tax_mode")
    }
    groups = defaultdict(list)
    for line in (
        ShipmentLine.objects.select_related("shipment", "order_line")
        .order_by("shipment__shipped_on", "shipment_id", "order_line__position", "pk")
    ):
        document = billed.get(line.shipment_id)
        key = ("invoice", *document) if document else ("shipment", line.shipment_id, line.shipment.tax_mode)
        groups[key].append((line, line.order_line.tax_rate))
    changed = []
    for (_kind, _pk, tax_mode), rows in groups.items():
        if tax_mode != "inclusive":
            continue
        nets = net_amounts([(rate, line.amount) for line, rate in rows], mode=mode, tax_mode=tax_mode)
        for (line, _rate), net in zip(rows, nets, strict=True):
            line.net_amount = net
            changed.append(line)
    ShipmentLine.objects.bulk_update(changed, ["net_amount"], batch_size=500)

    notes = defaultdict(list)
    for line in CreditNoteLine.objects.select_related("credit_note__invoice").filter(
        credit_note__invoice__tax_mode="inclusive"
    ).order_by("credit_note_id", "pk"):
        notes[line.credit_note_id].append(line)
    changed = []
    for rows in notes.values():
        nets = net_amounts([(line.tax_rate, line.amount) for line in rows], mode=mode, tax_mode="inclusive")
        for line, net in zip(rows, nets, strict=True):
            line.net_amount = net
            changed.append(line)
    CreditNoteLine.objects.bulk_update(changed, ["net_amount"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_net_amount"),
        ("orders", "0012_net_amount"),
        ("backoffice", "0003_bank_account_position_label"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
