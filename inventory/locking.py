"""Row locks for stock, always taken in one fixed order so that concurrent
transactions never wait on each other in a circle (no deadlocks):

    purchase order  →  stock levels (by product; default warehouse, then pk)  →  stock demands (by pk)

A transaction that needs several of these takes them in that order, each group
sorted as shown, and evaluated with list(): a lazy queryset takes no lock. Every lock is
FOR UPDATE OF this table's rows only (`of=("self",)`), never the rows of the tables joined
in to read them (warehouses, suppliers).
Every service that changes a product's stock or its demands first locks *all*
stock levels of that product, so those locks also serialise the product's demand
queue. On SQLite select_for_update is a no-op; there the IMMEDIATE transaction mode
(settings) makes every writing transaction exclusive, which is just as safe.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from .models import PurchaseOrder, StockDemand, StockLevel


def ensure_stock_levels(pairs: Iterable[tuple[int, int]]) -> None:
    """Create the missing (product_id, warehouse_id) stock rows before anything is locked.

    Inserting in sorted order, and before taking row locks, means a transaction that
    waits on another's uncommitted insert of the same row holds nothing that one needs."""
    wanted = sorted(set(pairs))
    if not wanted:
        return
    StockLevel.objects.bulk_create(
        [StockLevel(product_id=p, warehouse_id=w) for p, w in wanted],
        ignore_conflicts=True,
    )


def lock_stock_levels(product_ids: Iterable[int]) -> list[StockLevel]:
    """Lock every stock row of these products, with their warehouses, in the fixed order:
    by product, the default warehouse's row first, then by primary key. (The one-statement
    allocation in services locks only a default-warehouse row, always a prefix of this.)"""
    ids = sorted(set(product_ids))
    if not ids:
        return []
    return list(
        StockLevel.objects.filter(product_id__in=ids)
        .select_related("warehouse")
        .order_by("product_id", "-warehouse__is_default", "pk")
        .select_for_update(of=("self",), no_key=True)
    )


def lock_demands(demand_ids: Iterable[int]) -> dict[int, StockDemand]:
    ids = sorted(set(demand_ids))
    if not ids:
        return {}
    return {
        d.pk: d
        for d in StockDemand.objects.filter(pk__in=ids).order_by("pk").select_for_update(of=("self",), no_key=True)
    }


def lock_waiting_demands(product_id: int, exclude_ids: Iterable[int] = ()) -> list[StockDemand]:
    """Lock the open demands of a product that still wait for stock, by pk, and return
    them in serving order: oldest order first (priority date, number, creation)."""
    rows = list(
        StockDemand.objects.filter(
            product_id=product_id, status=StockDemand.Status.OPEN, quantity__gt=F("allocated") + F("shipped")
        )
        .exclude(pk__in=list(exclude_ids))
        .order_by("pk")
        .select_for_update(of=("self",), no_key=True)
    )
    rows.sort(key=lambda d: (d.priority_date, d.priority_number, d.pk))
    return rows


def lock_purchase_order(purchase_order_id: int) -> PurchaseOrder:
    return (
        PurchaseOrder.objects.select_for_update(of=("self",), no_key=True)
        .select_related("supplier", "warehouse")
        .get(pk=purchase_order_id)
    )
