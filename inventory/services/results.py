"""What the inventory services take and give back (frozen dataclasses)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..models import Product, PurchaseOrder, StockDemand, StockLevel, StockMove, Warehouse


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
