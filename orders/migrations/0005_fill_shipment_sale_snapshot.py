from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    """Shipments made before the snapshot existed take today's rep, tax mode and cost."""
    Shipment = apps.get_model("orders", "Shipment")
    ShipmentLine = apps.get_model("orders", "ShipmentLine")
    Customer = apps.get_model("orders", "Customer")
    Product = apps.get_model("inventory", "Product")
    customer = Customer.objects.filter(pk=OuterRef("customer_id"))
    Shipment.objects.update(
        sales_rep_id=Subquery(customer.values("sales_rep_id")[:1]),
        tax_mode=Subquery(customer.values("tax_mode")[:1]),
    )
    OrderLine = apps.get_model("orders", "OrderLine")
    cost = Product.objects.filter(pk=OuterRef("product_id")).values("cost")[:1]
    line_cost = OrderLine.objects.filter(pk=OuterRef("order_line_id")).annotate(cost=Subquery(cost)).values("cost")[:1]
    ShipmentLine.objects.filter(order_line__product__isnull=False).update(unit_cost=Subquery(line_cost))


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_shipment_sale_snapshot"), ("inventory", "0003_purchase_order_document")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
