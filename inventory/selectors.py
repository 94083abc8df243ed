"""Reads about stock that need thought: availability and expected dates, reorder
suggestions, demands by reference, and the ledger check."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from backoffice.businessdays import add_business_days
from backoffice.models import AuditEvent

from .models import (
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockAllocation,
    StockDemand,
    StockLevel,
    StockMove,
    Supplier,
)

OPEN_PURCHASE_ORDER = (PurchaseOrder.Status.ISSUED, PurchaseOrder.Status.PARTIALLY_RECEIVED)


def _sum_for_product(queryset: QuerySet, expression) -> Coalesce:
    """A correlated subquery: Σ expression over `queryset` rows of the outer product."""
    subquery = (
        queryset.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(total=Sum(expression))
        .values("total")
    )
    return Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))


def _open_po_lines() -> QuerySet:
    return PurchaseOrderLine.objects.filter(
        purchase_order__status__in=OPEN_PURCHASE_ORDER, quantity__gt=F("received_quantity")
    )


def _waiting_demands() -> QuerySet:
    return StockDemand.objects.filter(status=StockDemand.Status.OPEN)


def with_stock_figures(queryset: QuerySet) -> QuerySet:
    """Annotate products with on_hand_total, allocated_total, incoming_total and
    backordered_total: one query however many products."""
    return queryset.annotate(
        on_hand_total=_sum_for_product(StockLevel.objects.all(), F("on_hand")),
        allocated_total=_sum_for_product(StockLevel.objects.all(), F("allocated")),
        incoming_total=_sum_for_product(_open_po_lines(), F("quantity") - F("received_quantity")),
        backordered_total=_sum_for_product(_waiting_demands(), F("quantity") - F("allocated") - F("shipped")),
    )


# ---------------------------------------------------------------------------
# Availability
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingSupply:
    """Open purchase order quantity expected on one date."""

    expected_date: dt.date
    quantity: int


@dataclass(frozen=True)
class Availability:
    product_id: int
    quantity: int
    on_hand: int
    allocated: int
    available: int
    backordered: int
    incoming: tuple[IncomingSupply, ...]
    can_ship_now: bool
    shippable_quantity: int
    expected_date: dt.date | None
    expected_date_source: str  # "stock", "purchase_order", "lead_time" or "not_stocked"

    @property
    def incoming_quantity(self) -> int:
        return sum(supply.quantity for supply in self.incoming)


def _lead_time(product_days: int | None, supplier_days: int | None) -> int:
    return product_days if product_days is not None else (supplier_days or 0)


def _date_covered(needed: int, incoming: Iterable[IncomingSupply], on: dt.date, lead_time: int) -> tuple[dt.date, str]:
    """When the first `needed` units of the product's supply have come: the demands
    ahead take the supply first, in order, and a demand ships when the last of the
    sources it waits on comes. The supply is the receipts (`incoming`, by expected date;
    an overdue one counts from `on`), then, beyond every open purchase order, goods
    ordered now: `on` + the lead time in business days, but never before the
    receipts that came ahead of them."""
    covered = 0
    latest = on
    for supply in incoming:
        latest = max(latest, supply.expected_date)
        covered += supply.quantity
        if covered >= needed:
            return latest, "purchase_order"
    ordered_now = add_business_days(on, lead_time)
    if latest > ordered_now:
        return latest, "purchase_order"
    return ordered_now, "lead_time"


def availability(product: Product, quantity: int, on: dt.date | None = None) -> Availability:
    """The stock answer for an order of `quantity` placed on `on` (default today):
    "30 today, the other 20 on 12/3".

    What ships now is what is available. The rest waits behind every demand already
    backordered: walk the open purchase order receipts by expected date until they
    cover those earlier backorders plus this rest; if they never do, the date is `on`
    plus the product's lead time in business days, and never before the last receipt
    (see _date_covered). order_confirm answers with expected_dates, the same walk.
    Two queries."""
    return availabilities([(product, quantity)], on=on)[0]


def availabilities(wanted: Sequence[tuple[Product, int]], on: dt.date | None = None) -> list[Availability]:
    """`availability` for several products at once (the order entry's lines): two queries
    for all of them. Each answer stands alone, as if it were the only line."""
    on = on or timezone.localdate()
    stocked = {product.pk for product, _quantity in wanted if product.track_stock}
    figures: dict[int, dict] = {}
    incoming: dict[int, list[IncomingSupply]] = {pk: [] for pk in stocked}
    if stocked:
        figures = {
            row["pk"]: row
            for row in with_stock_figures(Product.objects.filter(pk__in=stocked)).values(
                "pk",
                "on_hand_total",
                "allocated_total",
                "backordered_total",
                "lead_time_days",
                "supplier__lead_time_days",
            )
        }
        for row in (
            _open_po_lines()
            .filter(product__in=stocked)
            .values("product", "expected_date")
            .annotate(quantity=Sum(F("quantity") - F("received_quantity")))
            .order_by("product", "expected_date")
        ):
            incoming[row["product"]].append(
                IncomingSupply(expected_date=row["expected_date"], quantity=row["quantity"])
            )
    return [
        _answer(product, quantity, figures.get(product.pk), tuple(incoming.get(product.pk, ())), on)
        for product, quantity in wanted
    ]


def _answer(product: Product, quantity: int, figures: dict | None, incoming: tuple, on: dt.date) -> Availability:
    if not product.track_stock or figures is None:
        return Availability(
            product_id=product.pk,
            quantity=quantity,
            on_hand=0,
            allocated=0,
            available=0,
            backordered=0,
            incoming=(),
            can_ship_now=True,
            shippable_quantity=quantity,
            expected_date=on,
            expected_date_source="not_stocked",
        )
    on_hand, allocated = figures["on_hand_total"], figures["allocated_total"]
    available = on_hand - allocated
    backordered = figures["backordered_total"]
    shippable = max(0, min(quantity, available))

    if shippable == quantity:
        expected_date, source = on, "stock"
    else:
        lead_time = _lead_time(figures["lead_time_days"], figures["supplier__lead_time_days"])
        expected_date, source = _date_covered(backordered + quantity - shippable, incoming, on, lead_time)

    return Availability(
        product_id=product.pk,
        quantity=quantity,
        on_hand=on_hand,
        allocated=allocated,
        available=available,
        backordered=backordered,
        incoming=incoming,
        can_ship_now=shippable == quantity,
        shippable_quantity=shippable,
        expected_date=expected_date,
        expected_date_source=source,
    )


def expected_dates(demands: Iterable[StockDemand], on: dt.date | None = None) -> dict[int, dt.date]:
    """For demands already waiting (backordered > 0): the date their whole backorder can
    be covered, by demand pk. Each waits behind the demands of its product that come
    before it in the serving order (priority date, number, creation); the supply is what
    is free now plus the open purchase order receipts by expected date, else `on` plus
    the lead time. Demands with nothing backordered are left out. Four queries."""
    on = on or timezone.localdate()
    waiting = [d for d in demands if d.backordered > 0]
    if not waiting:
        return {}
    wanted = {d.pk for d in waiting}
    product_ids = {d.product_id for d in waiting}
    queue = (
        _waiting_demands()
        .filter(product_id__in=product_ids, quantity__gt=F("allocated") + F("shipped"))
        .order_by("product_id", "priority_date", "priority_number", "pk")
        .values_list("pk", "product_id", "quantity", "allocated", "shipped")
    )
    supplies: dict[int, list[IncomingSupply]] = defaultdict(list)
    free = dict(
        StockLevel.objects.filter(product_id__in=product_ids)
        .order_by()
        .values("product")
        .annotate(free=Sum(F("on_hand") - F("allocated")))
        .values_list("product", "free")
    )
    for product_id, free_now in free.items():
        if free_now > 0:
            supplies[product_id].append(IncomingSupply(expected_date=on, quantity=free_now))
    for row in (
        _open_po_lines()
        .filter(product_id__in=product_ids)
        .values("product", "expected_date")
        .annotate(quantity=Sum(F("quantity") - F("received_quantity")))
        .order_by("product", "expected_date")
    ):
        supplies[row["product"]].append(IncomingSupply(expected_date=row["expected_date"], quantity=row["quantity"]))
    lead_times = {
        pk: _lead_time(days, supplier_days)
        for pk, days, supplier_days in Product.objects.filter(pk__in=product_ids).values_list(
            "pk", "lead_time_days", "supplier__lead_time_days"
        )
    }
    dates: dict[int, dt.date] = {}
    ahead: dict[int, int] = defaultdict(int)
    for pk, product_id, quantity, allocated, shipped in queue:
        ahead[product_id] += quantity - allocated - shipped
        if pk in wanted:
            dates[pk], _source = _date_covered(ahead[product_id], supplies[product_id], on, lead_times[product_id])
    return dates


# ---------------------------------------------------------------------------
# Reorder suggestions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReorderSuggestion:
    """projected = available + incoming − backordered; below the reorder point, buy
    reorder_quantity if that lifts projected back to the reorder point, else enough to
    reach reorder point + reorder quantity; less what already sits on draft orders."""

    product: Product
    available: int
    incoming: int
    backordered: int
    projected: int
    reorder_point: int
    reorder_quantity: int
    on_draft: int
    suggested_quantity: int

    @property
    def supplier(self) -> Supplier | None:
        return self.product.supplier


def suggested_reorder_quantity(*, projected: int, reorder_point: int, reorder_quantity: int) -> int:
    if projected >= reorder_point:
        return 0
    if projected + reorder_quantity >= reorder_point:
        return reorder_quantity
    return reorder_point + reorder_quantity - projected


def reorder_suggestions(products: QuerySet | None = None) -> list[ReorderSuggestion]:
    """Every active stocked product whose projected stock is below its reorder point,
    by supplier code then SKU. One query."""
    queryset = products if products is not None else Product.objects.all()
    drafts = PurchaseOrderLine.objects.filter(purchase_order__status=PurchaseOrder.Status.DRAFT)
    rows = (
        with_stock_figures(queryset.filter(is_active=True, track_stock=True))
        .annotate(
            on_draft=_sum_for_product(drafts, F("quantity")),
            projected=F("on_hand_total") - F("allocated_total") + F("incoming_total") - F("backordered_total"),
        )
        .filter(projected__lt=F("reorder_point"))
        .select_related("supplier")
        .order_by(F("supplier__code").asc(nulls_last=True), "sku")
    )
    suggestions = []
    for product in rows:
        base = suggested_reorder_quantity(
            projected=product.projected,
            reorder_point=product.reorder_point,
            reorder_quantity=product.reorder_quantity,
        )
        suggested = base - product.on_draft
        if suggested <= 0:
            continue  # already on order (a draft waiting to be issued)
        suggestions.append(
            ReorderSuggestion(
                product=product,
                available=product.on_hand_total - product.allocated_total,
                incoming=product.incoming_total,
                backordered=product.backordered_total,
                projected=product.projected,
                reorder_point=product.reorder_point,
                reorder_quantity=product.reorder_quantity,
                on_draft=product.on_draft,
                suggested_quantity=suggested,
            )
        )
    return suggestions


def group_by_supplier(
    suggestions: Iterable[ReorderSuggestion],
) -> list[tuple[Supplier | None, list[ReorderSuggestion]]]:
    groups: dict[int | None, list[ReorderSuggestion]] = defaultdict(list)
    suppliers: dict[int | None, Supplier | None] = {}
    for suggestion in suggestions:
        groups[suggestion.product.supplier_id].append(suggestion)
        suppliers[suggestion.product.supplier_id] = suggestion.product.supplier
    return [(suppliers[key], items) for key, items in groups.items()]


# ---------------------------------------------------------------------------
# Demands
# ---------------------------------------------------------------------------


def demand_for_reference(reference: str) -> StockDemand | None:
    """The live (not cancelled) demand with this reference, or None."""
    return (
        StockDemand.objects.filter(reference=reference)
        .exclude(status=StockDemand.Status.CANCELLED)
        .prefetch_related("allocations__warehouse")
        .first()
    )


def demands_by_reference(references: Sequence[str], *, with_allocations: bool = True) -> dict[str, StockDemand]:
    """Live demands by reference, for an order's lines: three queries with their
    allocations and warehouses, one without (what shipping needs: id, product, allocated)."""
    demands = StockDemand.objects.filter(reference__in=list(references)).exclude(status=StockDemand.Status.CANCELLED)
    if with_allocations:
        demands = demands.prefetch_related("allocations__warehouse")
    return {demand.reference: demand for demand in demands}


# ---------------------------------------------------------------------------
# Ledger check
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerProblem:
    product_id: int
    warehouse_id: int | None
    what: str
    expected: int
    actual: int

    def __str__(self) -> str:
        where = f"product {self.product_id}" + (f" warehouse {self.warehouse_id}" if self.warehouse_id else "")
        return f"{where}: {self.what} expected {self.expected}, found {self.actual}"


def stock_ledger_problems() -> list[LedgerProblem]:
    """Every place where stock figures disagree with the ledger: Σ moves ≠ on_hand per
    product and warehouse, Σ open allocations ≠ allocated, a demand's allocation rows ≠
    its allocated. Empty means consistent."""
    problems = []
    move_sums = {
        (row["product"], row["warehouse"]): row["total"]
        for row in StockMove.objects.order_by().values("product", "warehouse").annotate(total=Sum("quantity"))
    }
    allocation_sums = {
        (row["demand__product"], row["warehouse"]): row["total"]
        for row in StockAllocation.objects.filter(demand__status=StockDemand.Status.OPEN)
        .order_by()
        .values("demand__product", "warehouse")
        .annotate(total=Sum("quantity"))
    }
    levels = {(lv.product_id, lv.warehouse_id): lv for lv in StockLevel.objects.order_by("product_id", "warehouse_id")}
    for key in sorted(set(levels) | set(move_sums)):
        level = levels.get(key)
        on_hand = level.on_hand if level else 0
        if move_sums.get(key, 0) != on_hand:
            problems.append(LedgerProblem(key[0], key[1], "on_hand (Σ moves)", move_sums.get(key, 0), on_hand))
    for key in sorted(set(levels) | set(allocation_sums)):
        level = levels.get(key)
        allocated = level.allocated if level else 0
        if allocation_sums.get(key, 0) != allocated:
            problems.append(
                LedgerProblem(key[0], key[1], "allocated (Σ open allocations)", allocation_sums.get(key, 0), allocated)
            )
    mismatched = (
        StockDemand.objects.annotate(held=Coalesce(Sum("allocations__quantity"), 0))
        .filter(~Q(held=F("allocated")))
        .values_list("product_id", "pk", "allocated", "held")
    )
    for product_id, demand_id, allocated, held in mismatched:
        problems.append(LedgerProblem(product_id, None, f"demand {demand_id} allocation rows", allocated, held))
    return problems


# --- for reports ---------------------------------------------------------------------------


def shipment_moves(warehouse_id: int) -> QuerySet[StockMove]:
    """Shipment moves out of one warehouse: each names its shipment in `reference` and
    the order line's demand in `note` (see orders.services.shipment_ship)."""
    return StockMove.objects.filter(warehouse_id=warehouse_id, kind=StockMove.Kind.SHIPMENT)


def product_labels(ids: Iterable[int] | None) -> dict[int, str]:
    """Product id → "sku name"; None: every product (cheaper than a long IN list)."""
    products = Product.objects.order_by()
    if ids is not None:
        products = products.filter(pk__in=list(ids))
    return {pk: f"{sku} {name}" for pk, sku, name in products.values_list("pk", "sku", "name")}


# ---------------------------------------------------------------------------
# Screens: receipts of a purchase order, stock levels, the ledger
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServedDemand:
    """A waiting demand that a receipt allocated stock to: its label as stored with the
    demand (the orders app names its lines 「受注 SO-2026-000007 の 2 行目」), what it got, and
    the demand as it stands now (None if it is gone)."""

    label: str
    reference: str
    allocated: int
    demand: StockDemand | None


@dataclass(frozen=True)
class ReceiptLine:
    line: PurchaseOrderLine | None
    quantity: int


@dataclass(frozen=True)
class PurchaseReceipt:
    received_at: dt.datetime
    received_by: object
    lines: tuple[ReceiptLine, ...]
    served: tuple[ServedDemand, ...]


def purchase_order_receipts(purchase_order: PurchaseOrder) -> list[PurchaseReceipt]:
    """The receipts (入荷) of a purchase order, oldest first, each with its lines and the
    backorders it served, as the receive service recorded them in its audit event.
    Three queries."""
    events = list(
        AuditEvent.objects.filter(
            object_type=PurchaseOrder._meta.label_lower,
            object_id=str(purchase_order.pk),
            action="purchase_order.receive",
        )
        .select_related("actor")
        .order_by("occurred_at", "pk")
    )
    po_lines = {line.pk: line for line in purchase_order.lines.select_related("product")}
    served_items = [item for event in events for item in (event.changes or {}).get("served", [])]
    by_id = StockDemand.objects.in_bulk([item["demand"] for item in served_items if item.get("demand")])
    older = [item["reference"] for item in served_items if not item.get("demand")]
    by_reference = {d.reference: d for d in StockDemand.objects.filter(reference__in=older).order_by("pk")}
    receipts = []
    for event in events:
        changes = event.changes or {}
        served = []
        for item in changes.get("served", []):
            demand = by_id.get(item.get("demand")) or by_reference.get(item["reference"])
            label = item.get("label") or (demand.label if demand else "") or item["reference"]
            served.append(ServedDemand(label, item["reference"], item["allocated"], demand))
        lines = tuple(ReceiptLine(po_lines.get(item["line"]), item["quantity"]) for item in changes.get("lines", []))
        receipts.append(PurchaseReceipt(event.occurred_at, event.actor, lines, tuple(served)))
    return receipts


def stock_levels(*, warehouse_id: int | None = None, text: str = "") -> QuerySet[StockLevel]:
    """Stock per product and warehouse for the stock screen, with `incoming` (open purchase
    orders into that warehouse) and `available` annotated. One query."""
    incoming = (
        _open_po_lines()
        .filter(product_id=OuterRef("product_id"), purchase_order__warehouse_id=OuterRef("warehouse_id"))
        .values("product_id")
        .annotate(total=Sum(F("quantity") - F("received_quantity")))
        .values("total")
    )
    levels = StockLevel.objects.filter(product__track_stock=True).select_related("product", "warehouse")
    if warehouse_id:
        levels = levels.filter(warehouse_id=warehouse_id)
    text = (text or "").strip()
    if text:
        levels = levels.filter(
            Q(product__sku__istartswith=text)
            | Q(product__name__icontains=text)
            | Q(product__name_kana_key__kana_contains=text)
        )
    return levels.annotate(
        available_now=F("on_hand") - F("allocated"),
        incoming=Coalesce(Subquery(incoming, output_field=IntegerField()), Value(0)),
    ).order_by("product__sku", "warehouse__code")


def product_ledger(product: Product, *, warehouse_id: int | None = None) -> QuerySet[StockMove]:
    """The stock ledger of one product (in one warehouse, or all), newest first, each move
    with `balance`: on hand right after it (a running sum in the database, so a page of
    the ledger needs one query)."""
    moves = StockMove.objects.filter(product=product)
    if warehouse_id:
        moves = moves.filter(warehouse_id=warehouse_id)
    return (
        moves.select_related("warehouse", "created_by")
        .annotate(
            balance=Window(
                Sum("quantity"),
                order_by=[F("created_at").asc(), F("pk").asc()],
            )
        )
        .order_by("-created_at", "-pk")
    )
