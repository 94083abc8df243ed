"""Inventory services: every write to stock, demands and purchase orders.

One module per sub-domain, every public name re-exported here: `masters` (products,
suppliers, warehouses), `demands` (what the sales flow calls, below), `stock` (counts,
adjustments, returns, transfers), `purchasing` (purchase orders, receipts, drafts from
the reorder suggestions); `allocation` is the allocation book they all write through,
`checks` and `results` their argument checks and result types.

For the orders/ developer: how the sales flow asks for stock
============================================================

Inventory does not know orders. It knows **demands**: a `StockDemand` is "something
wants N units of product P", identified by a `reference` string you choose
(use ``"orders.OrderLine:<pk>"``), named for people by a `label` you give (e.g.
「受注 SO-2026-000007 の 2 行目」: messages and lists show it, never the reference),
ranked by `priority_date` (the order date) and
`priority_number` (the order number): waiting demands are served oldest first.
A demand holds three numbers: `quantity` (wanted), `allocated` (promised now, held in
one or more warehouses: `demand.allocations`), `shipped` (gone out). While the demand is
open, ``demand.backordered == quantity - allocated - shipped``. Read a demand back with
``inventory.selectors.demand_for_reference(reference)`` or ``demands_by_reference([...])``
rather than caching its numbers: receipts change them.

All functions take keyword arguments only, write an audit event (and a status event
when a demand is done or cancelled, through ``backoffice.status``), and raise
``backoffice.exceptions.InvalidInput`` (400, with `field`) or ``StateConflict`` (409).
The functions below run inside your transaction, without a savepoint of their own
(``transaction.atomic(savepoint=False)``): an order confirm that fails later rolls the
allocation back too, and if one of them raises, your whole step fails (validate first,
then write). Called outside any transaction, each is its own. Products with
``track_stock=False`` (送料, 作業費) have no demands: don't create one for them
(InvalidInput on `product`). ``stock_return`` (goods back on a credit note) joins its
caller's transaction the same way.

``demand_create_and_allocate(*, reference, product, quantity, priority_date, priority_number="", label="", user)``
    -> AllocationResult. Creates the demand and allocates what is available right now
    (all, part or none); the rest is backordered and is allocated automatically, oldest
    demand first, when stock arrives (purchase order receipt, return, stock take, or
    another demand releasing it). ``result.allocated_now`` and ``result.warehouses``
    (tuple of WarehouseQuantity(warehouse_id, warehouse_code, quantity)) say how much
    and from where; ``result.demand.backordered`` is the rest. The date the rest can
    ship: ``inventory.selectors.expected_dates([demand, ...])`` (by demand pk, four
    queries for any number of demands); before an order exists (a quote, a phone
    question) ``inventory.selectors.availability(product, quantity)``.
``demands_create_and_allocate(*, requests: Sequence[DemandRequest], user)`` -> list[AllocationResult]
    The same for all lines of one order at once. Use it when confirming an order: it
    locks every product's stock in one fixed order, so two orders with the same
    products in a different line order cannot deadlock.
``demand_allocate(*, demand, user, quantity=None)`` -> AllocationResult
    Try again to allocate up to `quantity` (default: all backordered) of an open demand.
``demand_release(*, demand, quantity, user)`` -> AllocationResult (allocated_now < 0)
    Give `quantity` allocated units back. The demand still wants them (its backorder
    grows, and it waits for the next receipt); the freed units go to other waiting
    demands first (``result.served``).
``demand_change_quantity(*, demand, quantity, user)`` -> AllocationResult
    The order line now wants `quantity` (at least what has shipped). Less: the
    backordered part goes first, then allocation is released (and serves others).
    More: allocates from what is available now.
``demand_cancel(*, demand, user)`` -> AllocationResult
    The line is cancelled: everything allocated is released (and serves others),
    nothing more is wanted. Shipped units stay shipped. A new demand may then reuse
    the reference.
``stock_ship(*, items: Sequence[ShipmentItem], reference, user)`` -> list[ShipmentResult]
    Ship allocated units: ``ShipmentItem(demand, quantity, warehouse=None)``; each
    writes one shipment move per warehouse (default warehouse first, unless `warehouse`
    names one), with `reference` (use ``"orders.Shipment:<pk>"``) and the demand's
    reference as note. Only allocated units can ship. A demand whose quantity has all
    shipped is `done`. ``demand_ship(*, demand, quantity, reference, user, warehouse=None)``
    is the one-item form.

Warehouse rule: allocation takes from the default warehouse first, then from the
others by most available first (fewest split shipments), then by warehouse code.
Releases give back the least preferred warehouses first; shipments ship default first.

Concurrency: every function locks the stock rows of the products it touches (all
warehouses) in one fixed order, then the demands in primary-key order (see
inventory/locking.py), so allocation never oversells and never deadlocks; the database
constraints (0 <= allocated <= on_hand) are the last line of defence. On PostgreSQL the
common case, the default warehouse holding the whole quantity, is one conditional
UPDATE ... WHERE on_hand - allocated >= n that also inserts the demand and its
allocation (a single statement, so an order confirm holds the stock row briefly; called
outside any transaction, that statement is the whole transaction).
Calling these inside your own transaction for several lines one by one can deadlock
against another order with the same products in another order: use
``demands_create_and_allocate`` for all lines of an order.

Invariant kept by all of the above: every change of ``StockLevel.on_hand`` writes a
``StockMove`` in the same transaction (``manage.py check_stock_ledger``), and the sum of
a warehouse's open allocations equals its ``StockLevel.allocated``.
"""

from .demands import (
    demand_allocate,
    demand_cancel,
    demand_change_quantity,
    demand_create_and_allocate,
    demand_release,
    demand_ship,
    demands_create_and_allocate,
    stock_ship,
)
from .masters import (
    product_create,
    product_update,
    supplier_create,
    supplier_update,
    warehouse_create,
    warehouse_update,
)
from .purchasing import (
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_issue,
    purchase_order_receive,
    purchase_order_update,
    purchase_orders_create_from_suggestions,
)
from .results import (
    AllocationResult,
    DemandRequest,
    ReceiptResult,
    ShipmentItem,
    ShipmentResult,
    StockChangeResult,
    WarehouseQuantity,
)
from .stock import stock_adjust, stock_return, stock_take, stock_take_many, stock_transfer

__all__ = [
    "AllocationResult",
    "DemandRequest",
    "ReceiptResult",
    "ShipmentItem",
    "ShipmentResult",
    "StockChangeResult",
    "WarehouseQuantity",
    "demand_allocate",
    "demand_cancel",
    "demand_change_quantity",
    "demand_create_and_allocate",
    "demand_release",
    "demand_ship",
    "demands_create_and_allocate",
    "product_create",
    "product_update",
    "purchase_order_cancel",
    "purchase_order_create",
    "purchase_order_issue",
    "purchase_order_receive",
    "purchase_order_update",
    "purchase_orders_create_from_suggestions",
    "stock_adjust",
    "stock_return",
    "stock_ship",
    "stock_take",
    "stock_take_many",
    "stock_transfer",
    "supplier_create",
    "supplier_update",
    "warehouse_create",
    "warehouse_update",
]
