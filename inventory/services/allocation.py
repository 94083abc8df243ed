"""The allocation book: a product's stock rows, locked and changed in memory, the
per-warehouse allocation changes of locked demands, and the serving of waiting demands,
all written once at the end of a step. Every service that moves stock or allocation
works through these (see the warehouse rule in the package docstring)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone

from backoffice import audit
from backoffice.db import update_rows

from ..locking import lock_stock_levels, lock_waiting_demands
from ..models import StockAllocation, StockDemand, StockLevel, StockMove
from .results import AllocationResult, WarehouseQuantity


def ledger_move(
    product_id: int, warehouse_id: int, quantity: int, kind: str, *, reference: str, note: str, user
) -> StockMove:
    """One row of the stock ledger, not saved yet: `quantity` units into the warehouse
    (out of it when negative), caused by `reference`."""
    return StockMove(
        product_id=product_id,
        warehouse_id=warehouse_id,
        quantity=quantity,
        kind=kind,
        reference=reference,
        note=note,
        created_by=audit.actor_or_none(user),
    )


def _preference(level: StockLevel) -> tuple:
    """The stated warehouse rule: default first, then most available, then code."""
    return (not level.warehouse.is_default, -level.available, level.warehouse.code)


class LockedStock:
    """Every stock row of some products, locked; changed in memory, written by save()."""

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


class AllocationBook:
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


def held_allocations(demand_ids: Iterable[int]) -> dict[int, list[StockAllocation]]:
    held: dict[int, list[StockAllocation]] = defaultdict(list)
    for allocation in StockAllocation.objects.filter(demand_id__in=list(demand_ids), quantity__gt=0).select_related(
        "warehouse"
    ):
        held[allocation.demand_id].append(allocation)
    return held


def serve_waiting(
    stock: LockedStock, book: AllocationBook, product_id: int, *, exclude_ids: Iterable[int] = ()
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


def release(
    stock: LockedStock, book: AllocationBook, demand: StockDemand, quantity: int, held: list[StockAllocation]
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


def save_demands(demands: Iterable[StockDemand]) -> None:
    """Write the quantities of locked demands, one statement. (Their status changes only
    through backoffice.status, after this.)"""
    demands = list(demands)
    if not demands:
        return
    now = timezone.now()
    for demand in demands:
        demand.updated_at = now
    update_rows(StockDemand, demands, ["quantity", "allocated", "shipped", "updated_at"])


def served_results(book: AllocationBook, served: Iterable[StockDemand]) -> tuple[AllocationResult, ...]:
    return tuple(
        AllocationResult(demand=d, allocated_now=sum(book.deltas[d.pk].values()), warehouses=book.warehouses(d))
        for d in served
    )


def served_summary(served: Iterable[AllocationResult]) -> list[dict]:
    """What the audit event keeps of the demands served: the label too, so a receipt's page
    can say whom it served (「受注 SO-2026-000007 の 2 行目」) without asking the caller."""
    return [
        {"reference": r.demand.reference, "label": r.demand.label, "demand": r.demand.pk, "allocated": r.allocated_now}
        for r in served
    ]


def serve_waiting_and_save(stock: LockedStock, product_ids: Iterable[int]) -> tuple[AllocationResult, ...]:
    """New stock of these products (a receipt, a count, a return): allocate it to their
    waiting demands, oldest order first, then write the stock rows, allocations and
    demands. Returns what each served demand received."""
    book = AllocationBook()
    served: list[StockDemand] = []
    for product_id in sorted(product_ids):
        served.extend(serve_waiting(stock, book, product_id))
    book.save()
    stock.save()
    save_demands(served)
    return served_results(book, served)
