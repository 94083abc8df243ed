"""Demands: what the sales flow calls to be promised stock, to give it back and to ship it.

Each of these runs inside the caller's transaction (an order confirm, a shipment, an order
cancel) without a savepoint of its own: if one fails, the caller's whole step fails.
Called on their own, they are their own transaction."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.models import AuditEvent
from backoffice.status import change_status, change_status_many

from ..locking import lock_demands
from ..models import Product, StockAllocation, StockDemand, StockLevel, StockMove, Warehouse
from .allocation import (
    AllocationBook,
    LockedStock,
    held_allocations,
    ledger_move,
    release,
    save_demands,
    serve_waiting,
    served_results,
    served_summary,
)
from .checks import check_open, check_quantity, check_reference, check_tracked
from .results import AllocationResult, DemandRequest, ShipmentItem, ShipmentResult, WarehouseQuantity

DEMAND_CREATE = "stock_demand.create"


def _check_demand_requests(requests: Sequence[DemandRequest]) -> None:
    references = set()
    for request in requests:
        reference = check_reference((request.reference or "").strip())
        if reference in references:
            raise InvalidInput(
                _("Reference %(reference)s appears twice.") % {"reference": reference}, field="reference"
            )
        references.add(reference)
        check_tracked(request.product)
        check_quantity(request.quantity, "quantity")
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


def _created_changes(demand: StockDemand, warehouses: Sequence[WarehouseQuantity]) -> dict[str, Any]:
    """The one definition of what a stock_demand.create audit event says, for both paths."""
    return {
        "product": demand.product_id,
        "quantity": demand.quantity,
        "allocated": demand.allocated,
        "warehouses": {w.warehouse_code: w.quantity for w in warehouses},
    }


# One statement for the common case on PostgreSQL: the default warehouse has all of it.
# The conditional UPDATE takes the row lock and re-checks `on_hand - allocated` after any
# wait, so it cannot oversell; when it matches no row, nothing is inserted either.
# Its audit row is the stock_demand.create event of the general path: the same action,
# object and `_created_changes`, bound as parameters; only the default warehouse's code,
# which the UPDATE finds, is set into `warehouses` by the statement.
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
    SELECT {actor}, {now}, {action}, {object_type}, demand.id::text, {object_repr},
           jsonb_set({changes}, ARRAY['warehouses'], jsonb_build_object(level.code, {quantity}))
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
    "action": "varchar",
    "object_type": "varchar",
    "object_repr": "varchar",
    "changes": "jsonb",
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
    demand = _new_demand(request, request.quantity, now=now)
    params = {
        "actor": getattr(audit.actor_or_none(user), "pk", None),
        "quantity": demand.quantity,
        "product": demand.product_id,
        "reference": demand.reference,
        "label": demand.label,
        "priority_date": demand.priority_date,
        "priority_number": demand.priority_number,
        "now": now,
        "action": DEMAND_CREATE,
        "object_type": StockDemand._meta.label_lower,
        "object_repr": str(demand)[:200],
        "changes": AuditEvent._meta.get_field("changes").get_db_prep_save(_created_changes(demand, ()), connection),
    }
    with connection.cursor() as cursor:
        cursor.execute(_fast_allocation_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return None
    demand.pk, warehouse_id, warehouse_code = row
    return AllocationResult(
        demand=demand,
        allocated_now=request.quantity,
        warehouses=(WarehouseQuantity(warehouse_id, warehouse_code, request.quantity),),
    )


def _allocate_with_row_locks(requests: Sequence[DemandRequest]) -> list[AllocationResult]:
    stock = LockedStock(r.product.pk for r in requests)
    plans = []
    for request in requests:
        taken = stock.allocate(request.product.pk, request.quantity)
        plans.append((_new_demand(request, sum(n for _level, n in taken)), taken))
    StockDemand.objects.bulk_create([demand for demand, _taken in plans])
    book = AllocationBook()
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


@transaction.atomic(savepoint=False)
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

    audit.record_many(
        actor=user,
        action=DEMAND_CREATE,
        items=[(results[i].demand, _created_changes(results[i].demand, results[i].warehouses)) for i in sorted(rest)],
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


def _lock_one(demand: StockDemand) -> tuple[LockedStock, StockDemand]:
    stock = LockedStock([demand.product_id])
    locked = lock_demands([demand.pk])[demand.pk]
    check_open(locked)
    return stock, locked


def _finish(
    stock: LockedStock,
    book: AllocationBook,
    demand: StockDemand,
    user,
    *,
    action: str,
    served: Sequence[StockDemand] = (),
    extra: Mapping[str, Any] | None = None,
    to_status: str | None = None,
) -> AllocationResult:
    """Write a step on one demand (and the demands its released units served), move it to
    `to_status` if given, and record the step's audit event."""
    before_allocated = demand.allocated - sum(book.deltas[demand.pk].values())
    book.save()
    stock.save()
    if to_status is None:
        save_demands([demand, *served])
    else:
        save_demands(served)
        # Its quantities go with the status, in one UPDATE (a closed demand holds nothing).
        change_status(demand, to_status, user=user, fields=["quantity", "allocated", "shipped"])
    result = AllocationResult(
        demand=demand,
        allocated_now=demand.allocated - before_allocated,
        warehouses=book.warehouses(demand),
        served=served_results(book, served),
    )
    changes = {
        "allocated": {"before": before_allocated, "after": demand.allocated},
        "warehouses": {w.warehouse_code: w.quantity for w in result.warehouses},
        **(extra or {}),
    }
    if result.served:
        changes["served"] = served_summary(result.served)
    audit.record(actor=user, action=action, obj=demand, changes=changes)
    return result


@transaction.atomic(savepoint=False)
def demand_allocate(*, demand: StockDemand, user, quantity: int | None = None) -> AllocationResult:
    """Allocate up to `quantity` more (default: all that is backordered) from what is available."""
    stock, demand = _lock_one(demand)
    wanted = demand.backordered if quantity is None else check_quantity(quantity, "quantity")
    if wanted > demand.backordered:
        raise InvalidInput(
            _("Only %(count)d of this demand are waiting for stock.") % {"count": demand.backordered},
            field="quantity",
        )
    book = AllocationBook()
    for level, n in stock.allocate(demand.product_id, wanted):
        book.add(demand, level, n)
        demand.allocated += n
    return _finish(stock, book, demand, user, action="stock_demand.allocate")


@transaction.atomic(savepoint=False)
def demand_release(*, demand: StockDemand, quantity: int, user) -> AllocationResult:
    """Give `quantity` allocated units back; the demand keeps wanting them (backordered)
    and the units go to other waiting demands, oldest first."""
    check_quantity(quantity, "quantity")
    stock, demand = _lock_one(demand)
    if quantity > demand.allocated:
        raise InvalidInput(
            _("Only %(count)d are allocated to this demand.") % {"count": demand.allocated}, field="quantity"
        )
    book = AllocationBook()
    release(stock, book, demand, quantity, held_allocations([demand.pk])[demand.pk])
    served = serve_waiting(stock, book, demand.product_id, exclude_ids=[demand.pk])
    return _finish(stock, book, demand, user, action="stock_demand.release", served=served)


@transaction.atomic(savepoint=False)
def demand_change_quantity(*, demand: StockDemand, quantity: int, user) -> AllocationResult:
    """Change the wanted quantity (not below what has shipped)."""
    check_quantity(quantity, "quantity")
    stock, demand = _lock_one(demand)
    if quantity < demand.shipped:
        raise InvalidInput(
            _("%(count)d have already shipped; the quantity cannot be lower.") % {"count": demand.shipped},
            field="quantity",
        )
    before = demand.quantity
    book = AllocationBook()
    served: list[StockDemand] = []
    demand.quantity = quantity
    surplus = demand.allocated + demand.shipped - quantity
    if surplus > 0:
        release(stock, book, demand, surplus, held_allocations([demand.pk])[demand.pk])
        served = serve_waiting(stock, book, demand.product_id, exclude_ids=[demand.pk])
    elif demand.backordered > 0:
        for level, n in stock.allocate(demand.product_id, demand.backordered):
            book.add(demand, level, n)
            demand.allocated += n
    return _finish(
        stock,
        book,
        demand,
        user,
        action="stock_demand.change_quantity",
        served=served,
        extra={"quantity": {"before": before, "after": quantity}},
        to_status=StockDemand.Status.DONE if demand.shipped == demand.quantity else None,
    )


@transaction.atomic(savepoint=False)
def demand_cancel(*, demand: StockDemand, user) -> AllocationResult:
    """Nothing more is wanted: release all that is allocated (it serves other demands)."""
    stock, demand = _lock_one(demand)
    book = AllocationBook()
    release(stock, book, demand, demand.allocated, held_allocations([demand.pk])[demand.pk])
    served = serve_waiting(stock, book, demand.product_id, exclude_ids=[demand.pk])
    return _finish(
        stock, book, demand, user, action="stock_demand.cancel", served=served, to_status=StockDemand.Status.CANCELLED
    )


def _check_shipment_items(items: Sequence[ShipmentItem], reference: str) -> None:
    if not items:
        raise InvalidInput(_("Name at least one line to ship."), field="items")
    check_reference(reference)
    if len({item.demand.pk for item in items}) != len(items):
        raise InvalidInput(_("Each demand may appear once per shipment."), field="items")
    for item in items:
        check_quantity(item.quantity, "quantity")


@transaction.atomic(savepoint=False)
def stock_ship(*, items: Sequence[ShipmentItem], reference: str, user) -> list[ShipmentResult]:
    """Turn allocated units into shipment moves, one per demand and warehouse."""
    _check_shipment_items(items, reference)
    stock = LockedStock(item.demand.product_id for item in items)
    demands = lock_demands(item.demand.pk for item in items)
    held = held_allocations(demands)
    book = AllocationBook()
    moves: list[StockMove] = []
    plans = []
    for item in items:
        demand = demands[item.demand.pk]
        check_open(demand)
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
                ledger_move(
                    demand.product_id,
                    allocation.warehouse_id,
                    -n,
                    StockMove.Kind.SHIPMENT,
                    reference=reference,
                    note=demand.reference[:200],
                    user=user,
                )
            )
            remaining -= n
        demand.allocated -= item.quantity
        demand.shipped += item.quantity
        moves.extend(demand_moves)
        plans.append((demand, item.quantity, demand_moves))

    StockMove.objects.bulk_create(moves)
    book.save(known={(a.demand_id, a.warehouse_id): a.quantity for rows in held.values() for a in rows})
    stock.save()
    save_demands(demands.values())
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
    # The demands shipped in full are done; their events and the shipping's, in one INSERT.
    change_status_many(
        [demand for demand, _quantity, _moves in plans if demand.shipped == demand.quantity],
        StockDemand.Status.DONE,
        user=user,
        also_audit=[
            audit.event(
                actor=user,
                action="stock_demand.ship",
                obj=result.demand,
                changes={
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
