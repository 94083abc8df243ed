"""Inventory services: every write to stock, demands and purchase orders.

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

All functions take keyword arguments only, run in their own ``transaction.atomic``
(call them inside yours: an order confirm that fails later rolls the allocation back
too), write an audit event, and raise ``backoffice.exceptions.InvalidInput`` (400, with
`field`) or ``StateConflict`` (409). Products with ``track_stock=False`` (送料, 作業費)
have no demands: don't create one for them (InvalidInput on `product`).

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

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.db import IntegrityError, connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.businessdays import add_business_days
from backoffice.db import update_rows
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.kana import with_kana_key
from backoffice.models import AuditEvent
from backoffice.money import compute_totals, line_amount
from backoffice.selectors import company_profile
from backoffice.services import model_create, model_update
from backoffice.status import change_status, status_started
from backoffice.unitofwork import unit_of_work

from .locking import ensure_stock_levels, lock_demands, lock_purchase_order, lock_stock_levels, lock_waiting_demands
from .models import (
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockAllocation,
    StockDemand,
    StockLevel,
    StockMove,
    Supplier,
    Warehouse,
)

# ---------------------------------------------------------------------------
# Masters
# ---------------------------------------------------------------------------


@unit_of_work()
def product_create(*, user, data: dict[str, Any]) -> Product:
    return model_create(model=Product, user=user, data=with_kana_key(data), action="product.create")


@unit_of_work()
def product_update(*, product: Product, user, data: dict[str, Any]) -> Product:
    return model_update(instance=product, user=user, data=with_kana_key(data), action="product.update")


@unit_of_work()
def supplier_create(*, user, data: dict[str, Any]) -> Supplier:
    return model_create(model=Supplier, user=user, data=with_kana_key(data), action="supplier.create")


@unit_of_work()
def supplier_update(*, supplier: Supplier, user, data: dict[str, Any]) -> Supplier:
    return model_update(instance=supplier, user=user, data=with_kana_key(data), action="supplier.update")


@unit_of_work()
def warehouse_create(*, user, data: dict[str, Any]) -> Warehouse:
    if data.get("is_default"):
        Warehouse.objects.filter(is_default=True).update(is_default=False)
    elif not Warehouse.objects.exists():
        data = {**data, "is_default": True}  # the first warehouse is the default one
    return model_create(model=Warehouse, user=user, data=data, action="warehouse.create")


@unit_of_work()
def warehouse_update(*, warehouse: Warehouse, user, data: dict[str, Any]) -> Warehouse:
    if data.get("is_default"):
        Warehouse.objects.filter(is_default=True).exclude(pk=warehouse.pk).update(is_default=False)
    return model_update(instance=warehouse, user=user, data=data, action="warehouse.update")


# ---------------------------------------------------------------------------
# Results and inputs
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WarehouseQuantity:
    warehouse_id: int
    warehouse_code: str
    quantity: int


@dataclass(frozen=True)
class AllocationResult:
    """What one call did to one demand. `allocated_now` is negative for a release."""

    demand: StockDemand
    allocated_now: int
    warehouses: tuple[WarehouseQuantity, ...] = ()
    served: tuple[AllocationResult, ...] = ()

    @property
    def backordered(self) -> int:
        return self.demand.backordered


@dataclass(frozen=True)
class DemandRequest:
    reference: str
    product: Product
    quantity: int
    priority_date: dt.date
    priority_number: str = ""
    label: str = ""


@dataclass(frozen=True)
class ShipmentItem:
    demand: StockDemand
    quantity: int
    warehouse: Warehouse | None = None


@dataclass(frozen=True)
class ShipmentResult:
    demand: StockDemand
    shipped_now: int
    warehouses: tuple[WarehouseQuantity, ...]
    moves: tuple[StockMove, ...]


@dataclass(frozen=True)
class StockChangeResult:
    """A stock take, adjustment, return or transfer: the moves written (none when the
    count matched) and the waiting demands the new stock was allocated to."""

    level: StockLevel
    moves: tuple[StockMove, ...] = ()
    served: tuple[AllocationResult, ...] = ()


@dataclass(frozen=True)
class ReceiptResult:
    purchase_order: PurchaseOrder
    moves: tuple[StockMove, ...]
    served: tuple[AllocationResult, ...] = field(default=())


# ---------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------


def _max_quantity() -> int:
    return settings.LIMITS["max_quantity"]


def _check_quantity(value, field_name: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(_("Enter a whole number."), field=field_name)
    if value < minimum:
        if minimum == 1:
            raise InvalidInput(_("Enter a quantity of at least 1."), field=field_name)
        raise InvalidInput(_("Enter a quantity of at least %(min)d.") % {"min": minimum}, field=field_name)
    if value > _max_quantity():
        raise InvalidInput(_("Enter a quantity of at most %(max)d.") % {"max": _max_quantity()}, field=field_name)
    return value


def _check_tracked(product: Product, field_name: str = "product") -> None:
    if not product.track_stock:
        raise InvalidInput(
            _("%(product)s does not track stock (a service or charge): it has no stock to move.")
            % {"product": product},
            field=field_name,
        )


def _check_open(demand: StockDemand) -> None:
    if demand.status != StockDemand.Status.OPEN:
        raise StateConflict(
            _("Demand %(reference)s is %(status)s.") % {"reference": demand, "status": demand.get_status_display()},
            field="demand",
        )


def _reference(obj) -> str:
    return f"{obj._meta.label}:{obj.pk}"


# ---------------------------------------------------------------------------
# Locked stock: the rows of some products, changed in memory, written once
# ---------------------------------------------------------------------------


def _preference(level: StockLevel) -> tuple:
    """The stated warehouse rule: default first, then most available, then code."""
    return (not level.warehouse.is_default, -level.available, level.warehouse.code)


class _LockedStock:
    def __init__(self, product_ids: Iterable[int]):
        self.levels = lock_stock_levels(product_ids)
        self._by_product: dict[int, list[StockLevel]] = defaultdict(list)
        self._by_key: dict[tuple[int, int], StockLevel] = {}
        for level in self.levels:
            self._by_product[level.product_id].append(level)
            self._by_key[(level.product_id, level.warehouse_id)] = level
        self._on_hand_delta: Counter[int] = Counter()
        self._allocated_delta: Counter[int] = Counter()

    def level(self, product_id: int, warehouse_id: int) -> StockLevel:
        return self._by_key[(product_id, warehouse_id)]

    def available(self, product_id: int) -> int:
        return sum(level.available for level in self._by_product[product_id])

    def allocate(self, product_id: int, quantity: int) -> list[tuple[StockLevel, int]]:
        """Take up to `quantity` by the warehouse rule; returns what came from where."""
        taken = []
        for level in sorted(self._by_product[product_id], key=_preference):
            if quantity <= 0:
                break
            n = min(quantity, level.available)
            if n > 0:
                self.change(level, allocated=n)
                taken.append((level, n))
                quantity -= n
        return taken

    def change(self, level: StockLevel, *, on_hand: int = 0, allocated: int = 0) -> None:
        level.on_hand += on_hand
        level.allocated += allocated
        self._on_hand_delta[level.pk] += on_hand
        self._allocated_delta[level.pk] += allocated

    def save(self) -> None:
        now = timezone.now()
        changed = [level for level in self.levels if self._on_hand_delta[level.pk] or self._allocated_delta[level.pk]]
        if len(changed) == 1:
            level = changed[0]
            StockLevel.objects.filter(pk=level.pk).update(
                on_hand=F("on_hand") + self._on_hand_delta[level.pk],
                allocated=F("allocated") + self._allocated_delta[level.pk],
                updated_at=now,
            )
        elif changed:
            # The rows are locked until commit, so the values computed here are the
            # current ones: one statement for every row (an order of 100 lines).
            for level in changed:
                level.updated_at = now
            update_rows(StockLevel, changed, ["on_hand", "allocated", "updated_at"])
        self._on_hand_delta.clear()
        self._allocated_delta.clear()


class _AllocationBook:
    """Per-warehouse allocation changes of locked demands, written once."""

    def __init__(self):
        self.deltas: dict[int, Counter[int]] = defaultdict(Counter)
        self.demands: dict[int, StockDemand] = {}
        self.codes: dict[int, str] = {}

    def add(self, demand: StockDemand, level_or_warehouse, quantity: int) -> None:
        warehouse = getattr(level_or_warehouse, "warehouse", level_or_warehouse)
        self.deltas[demand.pk][warehouse.pk] += quantity
        self.demands[demand.pk] = demand
        self.codes[warehouse.pk] = warehouse.code

    def warehouses(self, demand: StockDemand) -> tuple[WarehouseQuantity, ...]:
        return tuple(
            WarehouseQuantity(warehouse_id=w, warehouse_code=self.codes[w], quantity=q)
            for w, q in self.deltas[demand.pk].items()
            if q
        )

    def save(self, *, all_new: bool = False, known: dict[tuple[int, int], int] | None = None) -> None:
        """`known`: the current quantities by (demand, warehouse), when the caller has
        just read them under the demands' locks; otherwise they are read here."""
        if not self.deltas:
            return
        existing = known or {}
        if not all_new and known is None:
            existing = {
                (a.demand_id, a.warehouse_id): a.quantity
                for a in StockAllocation.objects.filter(demand_id__in=list(self.deltas))
            }
        rows = [
            StockAllocation(demand_id=d, warehouse_id=w, quantity=existing.get((d, w), 0) + q)
            for d, per_warehouse in self.deltas.items()
            for w, q in per_warehouse.items()
            if q
        ]
        if all_new:
            StockAllocation.objects.bulk_create(rows)
        elif rows:
            StockAllocation.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["demand", "warehouse"], update_fields=["quantity"]
            )


def _held_allocations(demand_ids: Iterable[int]) -> dict[int, list[StockAllocation]]:
    held: dict[int, list[StockAllocation]] = defaultdict(list)
    for allocation in StockAllocation.objects.filter(demand_id__in=list(demand_ids), quantity__gt=0).select_related(
        "warehouse"
    ):
        held[allocation.demand_id].append(allocation)
    return held


def _serve_waiting(
    stock: _LockedStock, book: _AllocationBook, product_id: int, *, exclude_ids: Iterable[int] = ()
) -> list[StockDemand]:
    """Allocate a product's available stock to its waiting demands, oldest order first.
    Returns the demands that received something (their `allocated` already updated)."""
    if stock.available(product_id) <= 0:
        return []
    served = []
    for demand in lock_waiting_demands(product_id, exclude_ids):
        taken = stock.allocate(product_id, demand.backordered)
        if not taken:
            break
        for level, n in taken:
            book.add(demand, level, n)
            demand.allocated += n
        served.append(demand)
    return served


def _save_demands(demands: Iterable[StockDemand]) -> None:
    demands = list(demands)
    if not demands:
        return
    now = timezone.now()
    for demand in demands:
        demand.updated_at = now
    update_rows(StockDemand, demands, ["quantity", "allocated", "shipped", "status", "updated_at"])


def _served_results(book: _AllocationBook, served: Iterable[StockDemand]) -> tuple[AllocationResult, ...]:
    return tuple(
        AllocationResult(demand=d, allocated_now=sum(book.deltas[d.pk].values()), warehouses=book.warehouses(d))
        for d in served
    )


def _served_summary(served: Iterable[AllocationResult]) -> list[dict]:
    return [{"reference": r.demand.reference, "allocated": r.allocated_now} for r in served]


# ---------------------------------------------------------------------------
# Demands: what the sales flow calls
# ---------------------------------------------------------------------------


def _check_demand_requests(requests: Sequence[DemandRequest]) -> None:
    references = set()
    for request in requests:
        reference = (request.reference or "").strip()
        if not reference or len(reference) > 100:
            raise InvalidInput(_("Give a reference of 1 to 100 characters."), field="reference")
        if reference in references:
            raise InvalidInput(
                _("Reference %(reference)s appears twice.") % {"reference": reference}, field="reference"
            )
        references.add(reference)
        _check_tracked(request.product)
        _check_quantity(request.quantity, "quantity")
        if not isinstance(request.priority_date, dt.date):
            raise InvalidInput(_("Give the order date."), field="priority_date")
        if len(request.priority_number or "") > 40:
            raise InvalidInput(_("At most 40 characters."), field="priority_number")
        if len(request.label or "") > 200:
            raise InvalidInput(_("At most 200 characters."), field="label")


def _new_demand(request: DemandRequest, allocated: int, *, pk: int | None = None, now=None) -> StockDemand:
    now = now or timezone.now()
    return StockDemand(
        pk=pk,
        reference=request.reference.strip(),
        product=request.product,
        priority_date=request.priority_date,
        priority_number=request.priority_number or "",
        label=(request.label or "").strip(),
        quantity=request.quantity,
        allocated=allocated,
        created_at=now,
        updated_at=now,
    )


# One statement for the common case on PostgreSQL: the default warehouse has all of it.
# The conditional UPDATE takes the row lock and re-checks `on_hand - allocated` after any
# wait, so it cannot oversell; when it matches no row, nothing is inserted either.
# Every parameter carries its type, so that with server-side binding (the default on
# PostgreSQL, see settings) psycopg prepares the statement once per connection: a
# statement this size costs PostgreSQL more CPU to parse and plan than to run.
_FAST_ALLOCATION_SQL = """
WITH level AS (
    UPDATE {level} AS s
       SET allocated = s.allocated + {quantity}, updated_at = {now}
      FROM {warehouse} AS w
     WHERE s.product_id = {product} AND s.warehouse_id = w.id AND w.is_default
       AND s.on_hand - s.allocated >= {quantity}
 RETURNING s.warehouse_id, w.code
), demand AS (
    INSERT INTO {demand} (reference, label, product_id, priority_date, priority_number, quantity, allocated, shipped,
                          status, created_at, updated_at)
    SELECT {reference}, {label}, {product}, {priority_date}, {priority_number}, {quantity}, {quantity}, 0, 'open',
           {now}, {now}
      FROM level
 RETURNING id
), allocation AS (
    INSERT INTO {allocation} (demand_id, warehouse_id, quantity)
    SELECT demand.id, level.warehouse_id, {quantity} FROM demand, level
), audit AS (
    INSERT INTO {audit} (actor_id, occurred_at, action, object_type, object_id, object_repr, changes)
    SELECT {actor}, {now}, 'stock_demand.create', 'inventory.stockdemand', demand.id::text,
           COALESCE(NULLIF({label}, ''), {reference}),
           jsonb_build_object('product', {product}, 'quantity', {quantity}, 'allocated', {quantity},
                              'warehouses', jsonb_build_object(level.code, {quantity}))
      FROM demand, level
)
SELECT demand.id, level.warehouse_id, level.code FROM demand, level
"""
_FAST_ALLOCATION_PARAMETERS = {
    "actor": "integer",
    "quantity": "integer",
    "product": "bigint",
    "reference": "varchar",
    "label": "varchar",
    "priority_date": "date",
    "priority_number": "varchar",
    "now": "timestamptz",
}


@functools.cache
def _fast_allocation_sql() -> str:
    return _FAST_ALLOCATION_SQL.format(
        level=StockLevel._meta.db_table,
        warehouse=Warehouse._meta.db_table,
        demand=StockDemand._meta.db_table,
        allocation=StockAllocation._meta.db_table,
        audit=AuditEvent._meta.db_table,
        **{name: f"%({name})s::{kind}" for name, kind in _FAST_ALLOCATION_PARAMETERS.items()},
    )


def _allocate_from_default_in_one_statement(request: DemandRequest, now, user) -> AllocationResult | None:
    """The same rows and audit event (stock_demand.create) as the general path, in one
    round trip: the audit insert is part of the statement."""
    reference = request.reference.strip()
    params = {
        "actor": user.pk if getattr(user, "is_authenticated", False) else None,
        "quantity": request.quantity,
        "product": request.product.pk,
        "reference": reference,
        "label": (request.label or "").strip(),
        "priority_date": request.priority_date,
        "priority_number": request.priority_number or "",
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(_fast_allocation_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return None
    demand_id, warehouse_id, warehouse_code = row
    return AllocationResult(
        demand=_new_demand(request, request.quantity, pk=demand_id, now=now),
        allocated_now=request.quantity,
        warehouses=(WarehouseQuantity(warehouse_id, warehouse_code, request.quantity),),
    )


def _allocate_with_row_locks(requests: Sequence[DemandRequest]) -> list[AllocationResult]:
    stock = _LockedStock(r.product.pk for r in requests)
    plans = []
    for request in requests:
        taken = stock.allocate(request.product.pk, request.quantity)
        plans.append((_new_demand(request, sum(n for _level, n in taken)), taken))
    StockDemand.objects.bulk_create([demand for demand, _taken in plans])
    book = _AllocationBook()
    for demand, taken in plans:
        for level, n in taken:
            book.add(demand, level, n)
    book.save(all_new=True)
    stock.save()
    return [
        AllocationResult(demand=demand, allocated_now=demand.allocated, warehouses=book.warehouses(demand))
        for demand, _taken in plans
    ]


def demands_create_and_allocate(*, requests: Sequence[DemandRequest], user) -> list[AllocationResult]:
    """Create one demand per request and allocate what is available now.

    Requests are handled by product (in primary-key order, the lock order), each
    product's in the order given. On PostgreSQL a request that the default warehouse
    covers entirely takes one statement; from the first one that it does not, the
    rest go through the general path (lock all stock rows of the products, apply the
    warehouse rule). Results come back in request order."""
    if not requests:
        return []
    _check_demand_requests(requests)
    if len(requests) == 1 and _single_statement_is_a_transaction():
        # Outside any transaction one statement is its own transaction: the fast path
        # needs no BEGIN / COMMIT round trips (it writes all of its rows or none).
        try:
            result = _allocate_from_default_in_one_statement(requests[0], timezone.now(), user)
        except IntegrityError as error:
            _raise_reference_conflict(error, requests)
        if result is not None:
            return [result]
        return _create_and_allocate_atomically(requests, user, fast=False)
    return _create_and_allocate_atomically(requests, user, fast=connection.vendor == "postgresql")


def _single_statement_is_a_transaction() -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block and connection.get_autocommit()


def _raise_reference_conflict(error: IntegrityError, requests: Sequence[DemandRequest]) -> NoReturn:
    # PostgreSQL names the constraint, SQLite the column.
    if not any(name in str(error) for name in ("stock_demand_reference_unique_live", "stockdemand.reference")):
        raise error
    raise StateConflict(
        _("A demand with one of these references already exists: %(references)s.")
        % {"references": ", ".join(r.reference for r in requests)},
        field="reference",
    ) from error


@unit_of_work()
def _create_and_allocate_atomically(requests: Sequence[DemandRequest], user, *, fast: bool) -> list[AllocationResult]:
    ordered = sorted(range(len(requests)), key=lambda i: (requests[i].product.pk, i))
    results: dict[int, AllocationResult] = {}
    now = timezone.now()
    try:
        if fast:
            for i in ordered:
                result = _allocate_from_default_in_one_statement(requests[i], now, user)
                if result is None:
                    break
                results[i] = result
        rest = [i for i in ordered if i not in results]
        if rest:
            for i, result in zip(rest, _allocate_with_row_locks([requests[i] for i in rest]), strict=True):
                results[i] = result
    except IntegrityError as error:
        _raise_reference_conflict(error, requests)

    audited_in_sql = set(results) - set(rest)
    audit.record_many(
        actor=user,
        action="stock_demand.create",
        items=[
            (
                results[i].demand,
                {
                    "product": results[i].demand.product_id,
                    "quantity": results[i].demand.quantity,
                    "allocated": results[i].demand.allocated,
                    "warehouses": {w.warehouse_code: w.quantity for w in results[i].warehouses},
                },
            )
            for i in range(len(requests))
            if i not in audited_in_sql
        ],
    )
    return [results[i] for i in range(len(requests))]


def demand_create_and_allocate(
    *,
    reference: str,
    product: Product,
    quantity: int,
    priority_date: dt.date,
    priority_number: str = "",
    label: str = "",
    user,
) -> AllocationResult:
    """One line's demand; see demands_create_and_allocate."""
    request = DemandRequest(
        reference=reference,
        product=product,
        quantity=quantity,
        priority_date=priority_date,
        priority_number=priority_number,
        label=label,
    )
    return demands_create_and_allocate(requests=[request], user=user)[0]


def _lock_one(demand: StockDemand) -> tuple[_LockedStock, StockDemand]:
    stock = _LockedStock([demand.product_id])
    locked = lock_demands([demand.pk])[demand.pk]
    return stock, locked


@unit_of_work()
def demand_allocate(*, demand: StockDemand, user, quantity: int | None = None) -> AllocationResult:
    """Allocate up to `quantity` more (default: all that is backordered) from what is available."""
    stock, demand = _lock_one(demand)
    _check_open(demand)
    wanted = demand.backordered if quantity is None else _check_quantity(quantity, "quantity")
    if wanted > demand.backordered:
        raise InvalidInput(
            _("Only %(count)d of this demand are waiting for stock.") % {"count": demand.backordered},
            field="quantity",
        )
    book = _AllocationBook()
    for level, n in stock.allocate(demand.product_id, wanted):
        book.add(demand, level, n)
        demand.allocated += n
    return _finish(stock, book, demand, user, action="stock_demand.allocate")


def _release(
    stock: _LockedStock, book: _AllocationBook, demand: StockDemand, quantity: int, held: list[StockAllocation]
) -> None:
    """Give back `quantity` of the demand's allocation, least preferred warehouse first."""
    for allocation in sorted(held, key=lambda a: (a.warehouse.is_default, a.warehouse.code)):
        if quantity <= 0:
            break
        n = min(quantity, allocation.quantity)
        stock.change(stock.level(demand.product_id, allocation.warehouse_id), allocated=-n)
        book.add(demand, allocation.warehouse, -n)
        allocation.quantity -= n
        demand.allocated -= n
        quantity -= n


def _finish(
    stock: _LockedStock,
    book: _AllocationBook,
    demand: StockDemand,
    user,
    *,
    action: str,
    served: Sequence[StockDemand] = (),
    extra: Mapping[str, Any] | None = None,
) -> AllocationResult:
    before_allocated = demand.allocated - sum(book.deltas[demand.pk].values())
    book.save()
    stock.save()
    _save_demands([demand, *served])
    result = AllocationResult(
        demand=demand,
        allocated_now=demand.allocated - before_allocated,
        warehouses=book.warehouses(demand),
        served=_served_results(book, served),
    )
    changes = {
        "allocated": {"before": before_allocated, "after": demand.allocated},
        "warehouses": {w.warehouse_code: w.quantity for w in result.warehouses},
        **(extra or {}),
    }
    if result.served:
        changes["served"] = _served_summary(result.served)
    audit.record(actor=user, action=action, obj=demand, changes=changes)
    return result


@unit_of_work()
def demand_release(*, demand: StockDemand, quantity: int, user) -> AllocationResult:
    """Give `quantity` allocated units back; the demand keeps wanting them (backordered)
    and the units go to other waiting demands, oldest first."""
    _check_quantity(quantity, "quantity")
    stock, demand = _lock_one(demand)
    _check_open(demand)
    if quantity > demand.allocated:
        raise InvalidInput(
            _("Only %(count)d are allocated to this demand.") % {"count": demand.allocated}, field="quantity"
        )
    book = _AllocationBook()
    _release(stock, book, demand, quantity, _held_allocations([demand.pk])[demand.pk])
    served = _serve_waiting(stock, book, demand.product_id, exclude_ids=[demand.pk])
    return _finish(stock, book, demand, user, action="stock_demand.release", served=served)


@unit_of_work()
def demand_change_quantity(*, demand: StockDemand, quantity: int, user) -> AllocationResult:
    """Change the wanted quantity (not below what has shipped)."""
    _check_quantity(quantity, "quantity")
    stock, demand = _lock_one(demand)
    _check_open(demand)
    if quantity < demand.shipped:
        raise InvalidInput(
            _("%(count)d have already shipped; the quantity cannot be lower.") % {"count": demand.shipped},
            field="quantity",
        )
    before = demand.quantity
    book = _AllocationBook()
    served: list[StockDemand] = []
    demand.quantity = quantity
    surplus = demand.allocated + demand.shipped - quantity
    if surplus > 0:
        _release(stock, book, demand, surplus, _held_allocations([demand.pk])[demand.pk])
        served = _serve_waiting(stock, book, demand.product_id, exclude_ids=[demand.pk])
    elif demand.backordered > 0:
        for level, n in stock.allocate(demand.product_id, demand.backordered):
            book.add(demand, level, n)
            demand.allocated += n
    if demand.shipped == demand.quantity:
        demand.status = StockDemand.Status.DONE
    return _finish(
        stock,
        book,
        demand,
        user,
        action="stock_demand.change_quantity",
        served=served,
        extra={"quantity": {"before": before, "after": quantity}},
    )


@unit_of_work()
def demand_cancel(*, demand: StockDemand, user) -> AllocationResult:
    """Nothing more is wanted: release all that is allocated (it serves other demands)."""
    stock, demand = _lock_one(demand)
    _check_open(demand)
    book = _AllocationBook()
    _release(stock, book, demand, demand.allocated, _held_allocations([demand.pk])[demand.pk])
    demand.status = StockDemand.Status.CANCELLED
    served = _serve_waiting(stock, book, demand.product_id, exclude_ids=[demand.pk])
    return _finish(stock, book, demand, user, action="stock_demand.cancel", served=served)


@unit_of_work()
def stock_ship(*, items: Sequence[ShipmentItem], reference: str, user) -> list[ShipmentResult]:
    """Turn allocated units into shipment moves, one per demand and warehouse."""
    if not items:
        raise InvalidInput(_("Name at least one line to ship."), field="items")
    if not reference or len(reference) > 100:
        raise InvalidInput(_("Give a reference of 1 to 100 characters."), field="reference")
    if len({item.demand.pk for item in items}) != len(items):
        raise InvalidInput(_("Each demand may appear once per shipment."), field="items")
    for item in items:
        _check_quantity(item.quantity, "quantity")

    stock = _LockedStock(item.demand.product_id for item in items)
    demands = lock_demands(item.demand.pk for item in items)
    held = _held_allocations(demands)
    book = _AllocationBook()
    moves: list[StockMove] = []
    plans = []
    for item in items:
        demand = demands[item.demand.pk]
        _check_open(demand)
        allocations = [a for a in held[demand.pk] if item.warehouse is None or a.warehouse_id == item.warehouse.pk]
        can_ship = sum(a.quantity for a in allocations)
        if item.quantity > can_ship:
            raise InvalidInput(
                _("Only %(count)d of %(reference)s are allocated%(where)s; ship at most that.")
                % {
                    "count": can_ship,
                    "reference": demand,
                    "where": _(" in %(warehouse)s") % {"warehouse": item.warehouse.code} if item.warehouse else "",
                },
                field="quantity",
            )
        remaining = item.quantity
        demand_moves = []
        for allocation in sorted(allocations, key=lambda a: (not a.warehouse.is_default, a.warehouse.code)):
            if remaining <= 0:
                break
            n = min(remaining, allocation.quantity)
            stock.change(stock.level(demand.product_id, allocation.warehouse_id), on_hand=-n, allocated=-n)
            book.add(demand, allocation.warehouse, -n)
            demand_moves.append(
                StockMove(
                    product_id=demand.product_id,
                    warehouse_id=allocation.warehouse_id,
                    quantity=-n,
                    kind=StockMove.Kind.SHIPMENT,
                    reference=reference,
                    note=demand.reference[:200],
                    created_by=_user_or_none(user),
                )
            )
            remaining -= n
        demand.allocated -= item.quantity
        demand.shipped += item.quantity
        if demand.shipped == demand.quantity:
            demand.status = StockDemand.Status.DONE
        moves.extend(demand_moves)
        plans.append((demand, item.quantity, demand_moves))

    StockMove.objects.bulk_create(moves)
    book.save(known={(a.demand_id, a.warehouse_id): a.quantity for rows in held.values() for a in rows})
    stock.save()
    _save_demands(demands.values())
    results = [
        ShipmentResult(
            demand=demand,
            shipped_now=quantity,
            warehouses=tuple(
                WarehouseQuantity(w.warehouse_id, w.warehouse_code, -w.quantity) for w in book.warehouses(demand)
            ),
            moves=tuple(demand_moves),
        )
        for demand, quantity, demand_moves in plans
    ]
    audit.record_many(
        actor=user,
        action="stock_demand.ship",
        items=[
            (
                result.demand,
                {
                    "shipment": reference,
                    "shipped": {"before": result.demand.shipped - result.shipped_now, "after": result.demand.shipped},
                    "warehouses": {w.warehouse_code: w.quantity for w in result.warehouses},
                },
            )
            for result in results
        ],
    )
    return results


def demand_ship(
    *, demand: StockDemand, quantity: int, reference: str, user, warehouse: Warehouse | None = None
) -> ShipmentResult:
    """Ship allocated units of one demand; see stock_ship."""
    return stock_ship(
        items=[ShipmentItem(demand=demand, quantity=quantity, warehouse=warehouse)], reference=reference, user=user
    )[0]


def _user_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None


# ---------------------------------------------------------------------------
# Stock take, adjustments, returns, transfers
# ---------------------------------------------------------------------------


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the stock changes."), field="reason")
    if len(reason) > 200:
        raise InvalidInput(_("At most 200 characters."), field="reason")
    return reason


def _holders_message(level: StockLevel, counted: int) -> str:
    holders = (
        StockAllocation.objects.filter(
            warehouse_id=level.warehouse_id, demand__product_id=level.product_id, quantity__gt=0
        )
        .select_related("demand")
        .order_by("demand__priority_date", "demand__priority_number", "demand_id")
    )
    listed = ", ".join(f"{a.demand} ({a.quantity})" for a in holders[:20])
    return _(
        "On hand would be %(counted)d, below the %(allocated)d allocated to: %(holders)s. Release or ship those first."
    ) % {"counted": counted, "allocated": level.allocated, "holders": listed}


def _change_on_hand(
    *,
    product: Product,
    warehouse: Warehouse,
    delta_for: Any,
    kind: str,
    reference: str,
    note: str,
    user,
    quantity_field: str,
) -> StockChangeResult:
    """Lock, compute the change from the locked level (`delta_for(level)`), refuse to go
    below what is allocated, write the move and serve waiting demands with any gain."""
    _check_tracked(product)
    ensure_stock_levels([(product.pk, warehouse.pk)])
    stock = _LockedStock([product.pk])
    level = stock.level(product.pk, warehouse.pk)
    delta = delta_for(level)
    if level.on_hand + delta < level.allocated:
        raise InvalidInput(_holders_message(level, level.on_hand + delta), field=quantity_field)
    if delta == 0:
        return StockChangeResult(level=level)
    move = StockMove.objects.create(
        product=product,
        warehouse=warehouse,
        quantity=delta,
        kind=kind,
        reference=reference,
        note=note,
        created_by=_user_or_none(user),
    )
    stock.change(level, on_hand=delta)
    book = _AllocationBook()
    served = _serve_waiting(stock, book, product.pk) if delta > 0 else []
    book.save()
    stock.save()
    _save_demands(served)
    return StockChangeResult(level=level, moves=(move,), served=_served_results(book, served))


@unit_of_work()
def stock_take(
    *, product: Product, warehouse: Warehouse, counted_quantity: int, reason: str, user
) -> StockChangeResult:
    """Record a count (棚卸): a stock-take move for the difference from on hand."""
    _check_quantity(counted_quantity, "counted_quantity", minimum=0)
    reason = _check_reason(reason)
    result = _change_on_hand(
        product=product,
        warehouse=warehouse,
        delta_for=lambda level: counted_quantity - level.on_hand,
        kind=StockMove.Kind.STOCK_TAKE,
        reference=f"stock_take:{timezone.localdate().isoformat()}",
        note=reason,
        user=user,
        quantity_field="counted_quantity",
    )
    audit.record(
        actor=user,
        action="stock.take",
        obj=result.level,
        changes={
            "counted_quantity": counted_quantity,
            "difference": sum(m.quantity for m in result.moves),
            "reason": reason,
            "served": _served_summary(result.served),
        },
    )
    return result


@unit_of_work()
def stock_adjust(*, product: Product, warehouse: Warehouse, quantity: int, reason: str, user) -> StockChangeResult:
    """A correction by a signed quantity (breakage, samples, found goods)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise InvalidInput(_("Enter a whole number other than 0."), field="quantity")
    _check_quantity(abs(quantity), "quantity")
    reason = _check_reason(reason)
    result = _change_on_hand(
        product=product,
        warehouse=warehouse,
        delta_for=lambda level: quantity,
        kind=StockMove.Kind.ADJUSTMENT,
        reference="adjustment",
        note=reason,
        user=user,
        quantity_field="quantity",
    )
    audit.record(
        actor=user,
        action="stock.adjust",
        obj=result.level,
        changes={"quantity": quantity, "reason": reason, "served": _served_summary(result.served)},
    )
    return result


@unit_of_work()
def stock_return(
    *, product: Product, warehouse: Warehouse, quantity: int, reference: str, user, note: str = ""
) -> StockChangeResult:
    """Goods back from a customer (返品) into stock; `reference` names the cause
    (e.g. "billing.CreditNote:7")."""
    _check_quantity(quantity, "quantity")
    if not reference or len(reference) > 100:
        raise InvalidInput(_("Give a reference of 1 to 100 characters."), field="reference")
    result = _change_on_hand(
        product=product,
        warehouse=warehouse,
        delta_for=lambda level: quantity,
        kind=StockMove.Kind.RETURN,
        reference=reference,
        note=note[:200],
        user=user,
        quantity_field="quantity",
    )
    audit.record(
        actor=user,
        action="stock.return",
        obj=result.level,
        changes={"quantity": quantity, "reference": reference, "served": _served_summary(result.served)},
    )
    return result


@unit_of_work()
def stock_transfer(
    *, product: Product, from_warehouse: Warehouse, to_warehouse: Warehouse, quantity: int, user, note: str = ""
) -> StockChangeResult:
    """Move available (unallocated) units between warehouses: two transfer moves."""
    _check_tracked(product)
    _check_quantity(quantity, "quantity")
    if from_warehouse.pk == to_warehouse.pk:
        raise InvalidInput(_("Choose two different warehouses."), field="to_warehouse")
    ensure_stock_levels([(product.pk, from_warehouse.pk), (product.pk, to_warehouse.pk)])
    stock = _LockedStock([product.pk])
    source, target = stock.level(product.pk, from_warehouse.pk), stock.level(product.pk, to_warehouse.pk)
    if quantity > source.available:
        raise InvalidInput(
            _("Only %(count)d are available in %(warehouse)s.")
            % {"count": source.available, "warehouse": from_warehouse.code},
            field="quantity",
        )
    reference = f"transfer:{from_warehouse.code}>{to_warehouse.code}"
    moves = StockMove.objects.bulk_create(
        [
            StockMove(
                product=product,
                warehouse=w,
                quantity=q,
                kind=StockMove.Kind.TRANSFER,
                reference=reference,
                note=note[:200],
                created_by=_user_or_none(user),
            )
            for w, q in ((from_warehouse, -quantity), (to_warehouse, quantity))
        ]
    )
    stock.change(source, on_hand=-quantity)
    stock.change(target, on_hand=quantity)
    stock.save()
    audit.record(
        actor=user,
        action="stock.transfer",
        obj=target,
        changes={"quantity": quantity, "from": from_warehouse.code, "to": to_warehouse.code},
    )
    return StockChangeResult(level=target, moves=tuple(moves))


# ---------------------------------------------------------------------------
# Purchase orders
# ---------------------------------------------------------------------------


def _issue_purchase_order_document(purchase_order: PurchaseOrder, user):
    """Number and archive the 発注書 through the documents engine (PO-2026-000001).
    Inventory hands it plain data; the PDF is rendered after commit."""
    from documents.services import document_issue
    from documents.types import CounterpartyKind, DocumentData, DocumentKind, DocumentLine, Party

    mode = company_profile().rounding_mode
    supplier = purchase_order.supplier
    lines = list(purchase_order.lines.select_related("product").order_by("position", "pk"))
    document_lines = [
        DocumentLine(
            sku=line.product.sku,
            name=line.product.name,
            quantity=line.quantity,
            unit=line.product.unit,
            unit_price=line.unit_cost,
            amount=line_amount(line.quantity, line.unit_cost, mode),
            tax_rate=line.product.tax_rate,
            note=f"納期 {line.expected_date:%m/%d}" if line.expected_date != purchase_order.expected_date else "",
        )
        for line in lines
    ]
    warehouse = purchase_order.warehouse
    data = DocumentData(
        kind=DocumentKind.PURCHASE_ORDER,
        document_date=timezone.localdate(),
        recipient=Party(
            name=supplier.name,
            honorific="御中",
            postal_code=supplier.postal_code,
            address=supplier.address,
            phone=supplier.phone,
            registration_number=supplier.registration_number,
            counterparty_kind=CounterpartyKind.SUPPLIER,
            counterparty_id=supplier.pk,
        ),
        lines=document_lines,
        totals=compute_totals([(line.tax_rate, line.amount) for line in document_lines], mode=mode),
        notes=purchase_order.notes,
        extra={
            "delivery_date": purchase_order.expected_date,
            "delivery_place": f"{warehouse.name} {warehouse.address}".strip(),
        },
    )
    return document_issue(data=data, user=user, source=purchase_order)


def _clean_po_lines(lines: Sequence[Mapping[str, Any]], *, default_expected: dt.date) -> list[PurchaseOrderLine]:
    if not lines:
        raise InvalidInput(_("Add at least one line."), field="lines")
    if len(lines) > settings.LIMITS["max_lines_per_document"]:
        raise InvalidInput(
            _("At most %(max)d lines.") % {"max": settings.LIMITS["max_lines_per_document"]}, field="lines"
        )
    cleaned = []
    for position, line in enumerate(lines, start=1):
        product = line.get("product")
        if not isinstance(product, Product):
            raise InvalidInput(_("Line %(n)d: choose a product.") % {"n": position}, field="lines")
        _check_tracked(product, "lines")
        quantity = line.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= _max_quantity():
            raise InvalidInput(
                _("Line %(n)d: enter a quantity from 1 to %(max)d.") % {"n": position, "max": _max_quantity()},
                field="lines",
            )
        unit_cost = line.get("unit_cost")
        unit_cost = product.cost if unit_cost is None else Decimal(unit_cost)
        if unit_cost < 0 or unit_cost > settings.LIMITS["max_unit_price"]:
            raise InvalidInput(_("Line %(n)d: enter a unit cost of 0 or more.") % {"n": position}, field="lines")
        cleaned.append(
            PurchaseOrderLine(
                product=product,
                quantity=quantity,
                unit_cost=unit_cost,
                expected_date=line.get("expected_date") or default_expected,
                position=position,
            )
        )
    return cleaned


def _default_warehouse() -> Warehouse:
    warehouse = Warehouse.objects.filter(is_default=True).first() or Warehouse.objects.order_by("pk").first()
    if warehouse is None:
        raise InvalidInput(_("Create a warehouse first."), field="warehouse")
    return warehouse


def _line_snapshot(lines: Iterable[PurchaseOrderLine]) -> list[dict]:
    return [
        {
            "product": ln.product_id,
            "quantity": ln.quantity,
            "unit_cost": ln.unit_cost,
            "expected_date": ln.expected_date,
        }
        for ln in lines
    ]


@unit_of_work()
def purchase_order_create(
    *,
    supplier: Supplier,
    lines: Sequence[Mapping[str, Any]],
    user,
    warehouse: Warehouse | None = None,
    expected_date: dt.date | None = None,
    notes: str = "",
) -> PurchaseOrder:
    """A draft purchase order. Lines are {product, quantity, unit_cost?, expected_date?}:
    the unit cost defaults to the product's cost, the date to the order's expected date,
    which defaults to today + the supplier's lead time in business days."""
    if not supplier.is_active:
        raise InvalidInput(_("This supplier is inactive."), field="supplier")
    expected_date = expected_date or add_business_days(timezone.localdate(), supplier.lead_time_days)
    cleaned = _clean_po_lines(lines, default_expected=expected_date)
    purchase_order = PurchaseOrder.objects.create(
        supplier=supplier,
        warehouse=warehouse or _default_warehouse(),
        expected_date=expected_date,
        notes=notes,
        created_by=_user_or_none(user),
    )
    for line in cleaned:
        line.purchase_order = purchase_order
    PurchaseOrderLine.objects.bulk_create(cleaned)
    status_started(purchase_order, user=user)
    audit.record(
        actor=user,
        action="purchase_order.create",
        obj=purchase_order,
        changes={
            "supplier": supplier.pk,
            "warehouse": purchase_order.warehouse_id,
            "expected_date": expected_date,
            "lines": _line_snapshot(cleaned),
        },
    )
    return purchase_order


@unit_of_work()
def purchase_order_update(*, purchase_order: PurchaseOrder, user, data: Mapping[str, Any]) -> PurchaseOrder:
    """Change a draft: supplier, warehouse, expected_date, notes; `lines` replaces the lines."""
    purchase_order = lock_purchase_order(purchase_order.pk)
    if purchase_order.status != PurchaseOrder.Status.DRAFT:
        raise StateConflict(_("Only a draft purchase order can be changed."), field="status")
    data = dict(data)
    lines = data.pop("lines", None)
    if "supplier" in data and not data["supplier"].is_active:
        raise InvalidInput(_("This supplier is inactive."), field="supplier")
    before = audit.snapshot(purchase_order, ["supplier_id", "warehouse_id", "expected_date", "notes"])
    for name in ("supplier", "warehouse", "expected_date", "notes"):
        if name in data:
            setattr(purchase_order, name, data[name])
    purchase_order.save(update_fields=["supplier", "warehouse", "expected_date", "notes"])
    changes = audit.diff(
        before, audit.snapshot(purchase_order, ["supplier_id", "warehouse_id", "expected_date", "notes"])
    )
    if lines is not None:
        old = list(purchase_order.lines.all())
        cleaned = _clean_po_lines(lines, default_expected=purchase_order.expected_date)
        purchase_order.lines.all().delete()
        for line in cleaned:
            line.purchase_order = purchase_order
        PurchaseOrderLine.objects.bulk_create(cleaned)
        changes["lines"] = {"before": _line_snapshot(old), "after": _line_snapshot(cleaned)}
    if changes:
        audit.record(actor=user, action="purchase_order.update", obj=purchase_order, changes=changes)
    return purchase_order


@unit_of_work()
def purchase_order_issue(*, purchase_order: PurchaseOrder, user) -> PurchaseOrder:
    """Send the order to the supplier: it takes its number and counts as incoming."""
    purchase_order = lock_purchase_order(purchase_order.pk)
    if purchase_order.status != PurchaseOrder.Status.DRAFT:
        raise StateConflict(
            _("This purchase order is %(status)s; only a draft can be issued.")
            % {"status": purchase_order.get_status_display()},
            field="status",
        )
    if not purchase_order.lines.exists():
        raise InvalidInput(_("Add at least one line."), field="lines")
    document = _issue_purchase_order_document(purchase_order, user)
    purchase_order.number = document.number
    purchase_order.document = document
    purchase_order.order_date = document.document_date
    purchase_order.issued_at = timezone.now()
    purchase_order.save(update_fields=["number", "document", "order_date", "issued_at"])
    change_status(purchase_order, PurchaseOrder.Status.ISSUED, user=user)
    audit.record(
        actor=user,
        action="purchase_order.issue",
        obj=purchase_order,
        changes={"number": purchase_order.number, "status": {"before": "draft", "after": "issued"}},
    )
    return purchase_order


RECEIVABLE = frozenset({PurchaseOrder.Status.ISSUED, PurchaseOrder.Status.PARTIALLY_RECEIVED})


@unit_of_work()
def purchase_order_receive(
    *,
    purchase_order: PurchaseOrder,
    lines: Sequence[Mapping[str, Any]],
    user,
    allow_over_receipt: bool = False,
) -> ReceiptResult:
    """入荷: `lines` are {line: PurchaseOrderLine or its id, quantity}. Adds the stock to
    the order's warehouse with receipt moves, then allocates it to the waiting demands
    of each product, oldest order first, all in this transaction."""
    purchase_order = lock_purchase_order(purchase_order.pk)
    if purchase_order.status not in RECEIVABLE:
        raise InvalidInput(
            _("This purchase order is %(status)s; goods can be received only on an issued order.")
            % {"status": purchase_order.get_status_display()},
            field="status",
        )
    if not lines:
        raise InvalidInput(_("Name at least one line to receive."), field="lines")
    po_lines = {line.pk: line for line in purchase_order.lines.select_related("product")}
    received: dict[int, int] = {}
    for position, item in enumerate(lines, start=1):
        line_id = getattr(item.get("line"), "pk", item.get("line"))
        if line_id not in po_lines:
            raise InvalidInput(_("Line %(n)d: not a line of this purchase order.") % {"n": position}, field="lines")
        if line_id in received:
            raise InvalidInput(_("Line %(n)d: named twice.") % {"n": position}, field="lines")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= _max_quantity():
            raise InvalidInput(
                _("Line %(n)d: enter a quantity from 1 to %(max)d.") % {"n": position, "max": _max_quantity()},
                field="lines",
            )
        line = po_lines[line_id]
        if line.received_quantity + quantity > line.quantity and not allow_over_receipt:
            raise InvalidInput(
                _(
                    "Line %(n)d: receiving %(quantity)d would exceed the %(ordered)d ordered "
                    "(%(received)d already received). Set allow_over_receipt to accept more."
                )
                % {"n": position, "quantity": quantity, "ordered": line.quantity, "received": line.received_quantity},
                field="lines",
            )
        received[line_id] = quantity

    warehouse_id = purchase_order.warehouse_id
    product_ids = {po_lines[line_id].product_id for line_id in received}
    ensure_stock_levels((p, warehouse_id) for p in product_ids)
    stock = _LockedStock(product_ids)
    reference = _reference(purchase_order)
    moves = []
    for line_id, quantity in received.items():
        line = po_lines[line_id]
        line.received_quantity += quantity
        stock.change(stock.level(line.product_id, warehouse_id), on_hand=quantity)
        moves.append(
            StockMove(
                product_id=line.product_id,
                warehouse_id=warehouse_id,
                quantity=quantity,
                kind=StockMove.Kind.RECEIPT,
                reference=reference,
                note=purchase_order.number,
                created_by=_user_or_none(user),
            )
        )
    StockMove.objects.bulk_create(moves)
    PurchaseOrderLine.objects.bulk_update([po_lines[i] for i in received], ["received_quantity"])

    book = _AllocationBook()
    served: list[StockDemand] = []
    for product_id in sorted(product_ids):
        served.extend(_serve_waiting(stock, book, product_id))
    book.save()
    stock.save()
    _save_demands(served)

    complete = all(line.received_quantity >= line.quantity for line in po_lines.values())
    before_status = purchase_order.status
    change_status(
        purchase_order,
        PurchaseOrder.Status.RECEIVED if complete else PurchaseOrder.Status.PARTIALLY_RECEIVED,
        user=user,
    )
    served_results = _served_results(book, served)
    audit.record(
        actor=user,
        action="purchase_order.receive",
        obj=purchase_order,
        changes={
            "lines": [{"line": i, "quantity": q} for i, q in received.items()],
            "status": {"before": before_status, "after": purchase_order.status},
            "allow_over_receipt": allow_over_receipt,
            "served": _served_summary(served_results),
        },
    )
    return ReceiptResult(purchase_order=purchase_order, moves=tuple(moves), served=served_results)


@unit_of_work()
def purchase_order_cancel(*, purchase_order: PurchaseOrder, user, reason: str = "") -> PurchaseOrder:
    """Nothing more will come: what is outstanding stops counting as incoming.
    Goods already received stay in stock."""
    purchase_order = lock_purchase_order(purchase_order.pk)
    before_status = purchase_order.status
    if before_status == PurchaseOrder.Status.CANCELLED:
        raise StateConflict(_("This purchase order is already cancelled."), field="status")
    change_status(purchase_order, PurchaseOrder.Status.CANCELLED, user=user, comment=reason)
    audit.record(
        actor=user,
        action="purchase_order.cancel",
        obj=purchase_order,
        changes={"status": {"before": before_status, "after": purchase_order.status}, "reason": reason},
    )
    return purchase_order


@unit_of_work()
def purchase_orders_create_from_suggestions(
    *, user, product_quantities: Mapping[int, int] | None = None
) -> list[PurchaseOrder]:
    """Draft purchase orders, one per supplier, for the current reorder suggestions.

    `product_quantities` chooses products (by id) and, when the value is not None,
    overrides the suggested quantity; None takes every suggestion that has a supplier."""
    from .selectors import reorder_suggestions

    suggestions = {s.product.pk: s for s in reorder_suggestions()}
    if product_quantities is None:
        chosen = {pk: s.suggested_quantity for pk, s in suggestions.items() if s.product.supplier_id}
    else:
        chosen = {}
        for product_id, quantity in product_quantities.items():
            suggestion = suggestions.get(product_id)
            if suggestion is None:
                raise InvalidInput(
                    _("Product %(id)s has no reorder suggestion now.") % {"id": product_id}, field="items"
                )
            if not suggestion.product.supplier_id:
                raise InvalidInput(_("%(product)s has no supplier.") % {"product": suggestion.product}, field="items")
            chosen[product_id] = suggestion.suggested_quantity if quantity is None else quantity
    by_supplier: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for product_id, quantity in chosen.items():
        product = suggestions[product_id].product
        by_supplier[product.supplier_id].append(
            {
                "product": product,
                "quantity": quantity,
                "expected_date": add_business_days(timezone.localdate(), product.effective_lead_time_days),
            }
        )
    suppliers = Supplier.objects.in_bulk(list(by_supplier))
    created = []
    for supplier_id in sorted(by_supplier):
        lines = sorted(by_supplier[supplier_id], key=lambda line: line["product"].sku)
        created.append(
            purchase_order_create(
                supplier=suppliers[supplier_id],
                lines=lines,
                user=user,
                expected_date=max(line["expected_date"] for line in lines),
                notes=_("Created from reorder suggestions."),
            )
        )
    return created
