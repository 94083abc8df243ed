"""The work in flight when the demo opens: opening stock and a purchase order on its way,
a day's sales (an inquiry, quotes, orders, a shipment) and the reps' sales targets. Each
part is loaded once: when its rows exist already, it is left alone."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from backoffice.businessdays import add_business_days
from billing import services as billing_services
from inventory import services as inventory_services
from inventory.models import Product, PurchaseOrder, StockMove, Warehouse
from orders import services as order_services
from orders.models import Customer, Inquiry, Order
from orders.services import LineInput
from reports.models import SalesTarget
from reports.services import sales_target_set


def load_stock_and_purchasing(admin) -> None:
    """Opening stock (a stock take per product), one purchase order on its way, and
    a product that runs short so the reorder suggestions have something to say."""
    if StockMove.objects.exists():
        return
    tokyo, osaka = Warehouse.objects.get(code="TOKYO"), Warehouse.objects.get(code="OSAKA")
    for index, product in enumerate(Product.objects.filter(track_stock=True).order_by("sku")):
        counted = 0 if product.sku == "A-102" else (30 if product.sku == "A-100" else 40 + (index * 17) % 160)
        if counted:
            inventory_services.stock_take(
                product=product, warehouse=tokyo, counted_quantity=counted, reason="期首在庫", user=admin
            )
        if index % 3 == 0:
            inventory_services.stock_take(
                product=product, warehouse=osaka, counted_quantity=10 + index, reason="期首在庫", user=admin
            )
    if not PurchaseOrder.objects.exists():
        bolt, hex_bolt = Product.objects.get(sku="A-100"), Product.objects.get(sku="A-102")
        purchase_order = inventory_services.purchase_order_create(
            supplier=bolt.supplier,
            warehouse=tokyo,
            expected_date=add_business_days(timezone.localdate(), 8),
            lines=[
                {"product": bolt, "quantity": 40, "unit_cost": bolt.cost},
                {"product": hex_bolt, "quantity": 30, "unit_cost": hex_bolt.cost},
            ],
            user=admin,
        )
        inventory_services.purchase_order_issue(purchase_order=purchase_order, user=admin)


def load_sales(users: dict) -> None:
    """A day's work in flight: an inquiry handed to a rep, a quote waiting for a
    manager, an issued quote, and orders: one confirmed and partly backordered, one
    confirmed and ready to ship, one on credit hold, one
    shipped with its delivery note, one still a draft."""
    admin, rep = users["sales_admin"], users["rep1"]
    if Inquiry.objects.exists() or Order.objects.filter(customer_po_number="YM-2026-118").exists():
        return
    customers = {c.code: c for c in Customer.objects.all()}
    products = {p.sku: p for p in Product.objects.all()}

    def line(sku, quantity, **more):
        return LineInput(product=products[sku], quantity=quantity, **more)

    def order(customer, po_number, *lines):
        data = {"customer": customers[customer], "customer_po_number": po_number}
        return order_services.order_create(user=admin, data=data, lines=list(lines))

    inquiry = order_services.inquiry_create(
        user=admin,
        data={
            "customer": customers["C001"],
            "contact_name": "山田太郎",
            "channel": "phone",
            "category": "quote_request",
            "subject": "ステンレスボルト M8 を100箱、見積がほしい",
            "body": "来月の生産分。納期は12月中旬希望。",
            "assigned_to": rep,
        },
    )
    order_services.quote_create_from_inquiry(inquiry=inquiry, user=rep, lines=[line("A-100", 100), line("S-900", 1)])
    big = order_services.quote_create(
        user=admin,
        data={"customer": customers["C009"], "subject": "工場設備一式", "payment_terms": "月末締め翌月末払い"},
        lines=[line("B-202", 5, discount_rate=Decimal("15")), line("S-901", 2)],
    )
    order_services.quote_submit(quote=big, user=admin)  # beyond the discount limit: a manager approves
    small = order_services.quote_create(
        user=admin,
        data={"customer": customers["C002"], "subject": "事務用品 定期購入", "delivery_place": "貴社指定場所"},
        lines=[line("C-300", 20), line("C-301", 10)],
    )
    order_services.quote_submit(quote=small, user=admin)
    order_services.quote_issue(quote=small, user=admin)

    backordered = order("C001", "YM-2026-118", line("A-100", 50), line("A-101", 20))
    order_services.order_confirm(order=backordered, user=admin)
    shipped = order("C004", "TF-5521", line("F-400", 10), line("F-401", 5), line("C-300", 2), line("S-900", 1))
    order_services.order_confirm(order=shipped, user=admin)
    shipment = order_services.shipment_create(order=shipped, user=admin)
    billing_services.shipment_ship_and_bill(shipment=shipment, user=admin)
    ready = order("C002", "SB-3310", line("C-300", 10), line("C-301", 5))
    order_services.order_confirm(order=ready, user=admin)  # in stock: waits to be shipped today
    order_services.shipment_create(order=ready, user=admin)  # its shipment being prepared (出荷準備中)
    held = order("C005", "KS-7781", line("B-202", 4))
    order_services.order_confirm(order=held, user=admin)  # beyond the credit limit: on hold for a manager
    draft = order("C006", "HD-0042", line("B-200", 2), line("B-201", 2))
    order_services.order_update(order=draft, user=admin, data={"note": "FAXにて受注、確認中"})


def load_targets(users: dict) -> None:
    """Monthly sales targets for both reps, the last six months, set by the manager."""
    if SalesTarget.objects.exists():
        return
    today = timezone.localdate()
    for months_back in range(6):
        index = today.year * 12 + today.month - 1 - months_back
        month = dt.date(index // 12, index % 12 + 1, 1)
        for rep, amount in (("rep1", 1_500_000), ("rep2", 1_200_000)):
            sales_target_set(user=users["manager"], rep=users[rep], month=month, amount=Decimal(amount))
