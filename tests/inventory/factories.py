"""Inventory test helpers. Stock is set up through the real services (a stock take or
a purchase order receipt), never by writing StockLevel rows directly."""

from __future__ import annotations

import datetime as dt
import itertools

from inventory import services
from inventory.models import Product, PurchaseOrder, StockDemand, Warehouse
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory

__all__ = [
    "ProductFactory",
    "SupplierFactory",
    "WarehouseFactory",
    "add_stock",
    "issued_purchase_order",
    "make_demand",
]

_references = itertools.count(1)


def add_stock(product: Product, warehouse: Warehouse, quantity: int, *, user=None) -> None:
    """Count `quantity` more units into the warehouse (a stock-take move)."""
    on_hand = product.stock_levels.filter(warehouse=warehouse).values_list("on_hand", flat=True).first() or 0
    services.stock_take(
        product=product, warehouse=warehouse, counted_quantity=on_hand + quantity, reason="opening stock", user=user
    )


def make_demand(
    product: Product,
    quantity: int,
    *,
    reference: str | None = None,
    priority_date: dt.date = dt.date(2026, 11, 1),
    priority_number: str = "",
    label: str = "",
    user=None,
) -> services.AllocationResult:
    return services.demand_create_and_allocate(
        reference=reference or f"orders.OrderLine:{next(_references)}",
        product=product,
        quantity=quantity,
        priority_date=priority_date,
        priority_number=priority_number,
        label=label,
        user=user,
    )


def issued_purchase_order(
    product: Product,
    quantity: int,
    *,
    expected_date: dt.date = dt.date(2026, 12, 3),
    warehouse: Warehouse | None = None,
    user=None,
) -> PurchaseOrder:
    purchase_order = services.purchase_order_create(
        supplier=product.supplier or SupplierFactory(),
        warehouse=warehouse,
        expected_date=expected_date,
        lines=[{"product": product, "quantity": quantity}],
        user=user,
    )
    return services.purchase_order_issue(purchase_order=purchase_order, user=user)


def refreshed(demand: StockDemand) -> StockDemand:
    return StockDemand.objects.get(pk=demand.pk)
