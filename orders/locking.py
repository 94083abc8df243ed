"""Row locks of the orders app. Each helper locks only its own table's rows
(`select_for_update(of=("self",), no_key=True)`): a row read alongside through a join, such
as an order's customer, is not locked by it, and rows that only reference the locked one
(an invoice naming the customer) are not blocked at their COMMIT-time foreign-key check
(ARCHITECTURE.md, Locks). Another app that needs these rows locks them here.

Across apps the locks are taken in one order (ARCHITECTURE.md), so that two transactions
never wait on each other in a circle:

    customer -> order -> shipment -> stock levels (inventory) -> billing's rows -> counters

Several rows of one table are locked by primary key, and evaluated with list(): a lazy
queryset takes no lock. On SQLite select_for_update is a no-op (the IMMEDIATE transaction
mode makes every writing transaction exclusive there).
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Customer, Inquiry, Order, Quote, Shipment


def lock_customer(customer_id: int) -> Customer:
    """The customer row. Taken only where a step must be alone among the customer's
    steps: the credit check counts the customer's open orders, and two orders of one
    customer confirmed at once would each count without the other."""
    return Customer.objects.select_for_update(of=("self",), no_key=True).get(pk=customer_id)


def lock_inquiry(inquiry_id: int) -> Inquiry:
    return Inquiry.objects.select_for_update(of=("self",), no_key=True).get(pk=inquiry_id)


def lock_quote(quote_id: int) -> Quote:
    """The quote row, with its customer read (not locked)."""
    return Quote.objects.select_related("customer").select_for_update(of=("self",), no_key=True).get(pk=quote_id)


def lock_order(order_id: int) -> Order:
    """The order row, with its customer read (not locked: see lock_customer)."""
    return Order.objects.select_related("customer").select_for_update(of=("self",), no_key=True).get(pk=order_id)


def lock_orders(order_ids: Iterable[int]) -> list[Order]:
    """Several orders, by primary key (billing cancelling an invoice moves its orders)."""
    ids = sorted(set(order_ids))
    return (
        list(Order.objects.filter(pk__in=ids).order_by("pk").select_for_update(of=("self",), no_key=True))
        if ids
        else []
    )


def lock_shipment(shipment_id: int) -> Shipment:
    return Shipment.objects.select_for_update(of=("self",), no_key=True).get(pk=shipment_id)


def lock_shipments(shipment_ids: Iterable[int]) -> list[Shipment]:
    """Several shipments, by primary key (after their orders)."""
    ids = sorted(set(shipment_ids))
    return (
        list(Shipment.objects.filter(pk__in=ids).order_by("pk").select_for_update(of=("self",), no_key=True))
        if ids
        else []
    )


def lock_draft_shipments(order_id: int) -> list[Shipment]:
    """The order's shipments still being prepared (the caller holds the order's lock)."""
    return list(
        Shipment.objects.filter(order=order_id, status=Shipment.Status.DRAFT)
        .order_by("pk")
        .select_for_update(of=("self",), no_key=True)
    )
