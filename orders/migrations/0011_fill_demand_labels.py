"""Name the stock demands of existing order lines as people know them (「受注 SO-2026-000007
の 2 行目」), like order_confirm now does for new ones. Data only; the field comes from
inventory 0005."""

from django.db import migrations

PREFIX = "orders.OrderLine:"


def fill_labels(apps, schema_editor):
    StockDemand = apps.get_model("inventory", "StockDemand")
    OrderLine = apps.get_model("orders", "OrderLine")
    demands = list(StockDemand.objects.filter(label="", reference__startswith=PREFIX))
    line_ids = {int(d.reference[len(PREFIX) :]) for d in demands if d.reference[len(PREFIX) :].isdigit()}
    lines = {
        pk: (number, position)
        for pk, number, position in OrderLine.objects.filter(pk__in=line_ids).values_list(
            "pk", "order__number", "position"
        )
    }
    changed = []
    for demand in demands:
        suffix = demand.reference[len(PREFIX) :]
        if suffix.isdigit() and int(suffix) in lines:
            number, position = lines[int(suffix)]
            if number:
                demand.label = f"受注 {number} の {position} 行目"
                changed.append(demand)
    StockDemand.objects.bulk_update(changed, ["label"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_business_date_range"),
        ("inventory", "0008_demand_label"),
    ]

    operations = [migrations.RunPython(fill_labels, migrations.RunPython.noop)]
