"""Quotes', orders' and shipments' status history moves to the one log (backoffice.StatusEvent)."""

from django.db import migrations

BATCH = 5000


def copy_events(apps, schema_editor):
    Old = apps.get_model("orders", "StatusEvent")
    New = apps.get_model("backoffice", "StatusEvent")
    rows = []
    for event in Old.objects.order_by("pk").iterator(chunk_size=BATCH):
        rows.append(
            New(
                object_type=f"orders.{event.object_type}",
                object_id=event.object_id,
                from_status=event.from_status,
                to_status=event.to_status,
                actor_id=event.actor_id,
                comment=event.comment,
                occurred_at=event.occurred_at,
            )
        )
        if len(rows) >= BATCH:
            New.objects.bulk_create(rows)
            rows = []
    New.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0012_net_amount"),
        ("backoffice", "0007_status_events"),
    ]

    operations = [
        migrations.RunPython(copy_events, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(name="StatusEvent"),
    ]
