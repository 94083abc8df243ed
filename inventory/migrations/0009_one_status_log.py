"""Purchase orders' status history moves to the one log (backoffice.StatusEvent)."""

from django.db import migrations

BATCH = 5000


def copy_events(apps, schema_editor):
    Old = apps.get_model("inventory", "PurchaseOrderStatusEvent")
    New = apps.get_model("backoffice", "StatusEvent")
    rows = []
    for event in Old.objects.order_by("pk").iterator(chunk_size=BATCH):
        rows.append(
            New(
                object_type="inventory.purchaseorder",
                object_id=event.purchase_order_id,
                from_status=event.from_status,
                to_status=event.to_status,
                actor_id=event.created_by_id,
                comment=event.note,
                occurred_at=event.created_at,
            )
        )
        if len(rows) >= BATCH:
            New.objects.bulk_create(rows)
            rows = []
    New.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0008_demand_label"),
        ("backoffice", "0007_status_events"),
    ]

    operations = [
        migrations.RunPython(copy_events, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(name="PurchaseOrderStatusEvent"),
    ]
