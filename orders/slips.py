"""Reads for the internal papers: the 受注伝票 of orders and the 出荷指示書 / ピッキングリスト
of shipments, assembled as the plain data documents.rendering prints. A fixed number of
queries for any number of orders or shipments.

Where the warehouse picks from: a draft shipment takes each line's units from the order
line's allocations, the default warehouse first, then by warehouse code (the order
inventory.services.stock_ship ships them in); a shipped one from the stock moves it made.
Lines that do not track stock (services) have nothing to pick.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from documents.rendering.order_slip import OrderSlipData, SlipLine, SlipParty
from documents.rendering.picking_list import (
    DAY_TITLE,
    SHIPMENT_TITLE,
    PickDestination,
    PickingListData,
    PickingSection,
    PickRow,
)
from inventory.models import StockMove, Warehouse
from inventory.selectors import demands_by_reference, expected_dates

from .models import Order, OrderLine, OrderSlipPrint, Shipment, ShipmentLine
from .services.document_parts import discount_note

# --- 受注伝票 -------------------------------------------------------------------------------


def slip_orders() -> QuerySet[Order]:
    """Orders that have a slip: every order with a number (a draft has none yet)."""
    return Order.objects.exclude(number="").exclude(status=Order.Status.DRAFT)


def day_slip_orders(on: dt.date) -> QuerySet[Order]:
    """The day's batch: the orders of that order date, not cancelled, by number."""
    return slip_orders().filter(order_date=on).exclude(status=Order.Status.CANCELLED).order_by("number", "pk")


def printed_before(order_ids: Iterable[int]) -> set[int]:
    """The orders whose slip has been printed already (one query)."""
    return set(OrderSlipPrint.objects.filter(order_id__in=list(order_ids)).values_list("order_id", flat=True))


def last_slip_prints(order_ids: Iterable[int]) -> dict[int, tuple[int, dt.datetime]]:
    """Per order: how many times its slip was printed and when last (for the screens)."""
    prints: dict[int, tuple[int, dt.datetime]] = {}
    for row in OrderSlipPrint.objects.filter(order_id__in=list(order_ids)).values("order_id", "printed_at"):
        count, last = prints.get(row["order_id"], (0, row["printed_at"]))
        prints[row["order_id"]] = (count + 1, max(last, row["printed_at"]))
    return prints


def person(user) -> str:
    """A person by name (family name first), else their user name (as the screens show people)."""
    if user is None:
        return ""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


def _party(customer) -> SlipParty:
    return SlipParty(
        name=customer.name,
        code=customer.code,
        postal_code=customer.postal_code,
        address=customer.address,
        phone=customer.phone,
    )


def order_slip_data(orders: Sequence[Order], *, reprinted_at: dt.datetime | None, reprinted: set[int]) -> list:
    """The slips of these orders (in their order): header, parties, lines with what is
    allocated, backordered and when the rest is expected. `reprinted`: the orders whose
    slip was printed before, stamped 再印刷 with `reprinted_at` (local time)."""
    ids = [order.pk for order in orders]
    loaded = {
        order.pk: order
        for order in Order.objects.filter(pk__in=ids)
        .select_related("customer__sales_rep", "entered_by", "ship_to")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.filter(cancelled=False).order_by("position")))
    }
    lines = [line for order in loaded.values() for line in order.lines.all()]
    stock_lines = [line for line in lines if line.tracks_stock]
    demands = demands_by_reference([line.demand_reference for line in stock_lines], with_allocations=False)
    waiting = [demand for demand in demands.values() if demand.backordered]
    dates = expected_dates(waiting) if waiting else {}
    slips = []
    for pk in ids:
        order = loaded[pk]
        slip_lines = []
        for line in order.lines.all():
            demand = demands.get(line.demand_reference) if line.tracks_stock else None
            slip_lines.append(
                SlipLine(
                    position=line.position,
                    sku=line.sku,
                    name=line.description,
                    quantity=line.quantity,
                    unit=line.unit,
                    unit_price=line.unit_price,
                    amount=line.amount,
                    allocated=demand.allocated if demand else None,
                    backordered=demand.backordered if demand else None,
                    expected_date=dates.get(demand.pk) if demand else None,
                    shipped=line.shipped_quantity,
                    note=discount_note(line.discount_rate),
                )
            )
        ship_to = order.ship_to
        slips.append(
            OrderSlipData(
                number=order.number,
                order_date=order.order_date,
                customer=_party(order.customer),
                ship_to=SlipParty(
                    name=ship_to.name, postal_code=ship_to.postal_code, address=ship_to.address, phone=ship_to.phone
                )
                if ship_to
                else None,
                customer_po_number=order.customer_po_number,
                sales_rep=person(order.customer.sales_rep),
                entered_by=person(order.entered_by),
                requested_date=order.requested_date,
                status=str(order.get_status_display()),
                lines=tuple(slip_lines),
                subtotal=order.subtotal,
                tax_total=order.tax_total,
                total=order.total,
                note=order.note,
                reprinted_at=reprinted_at if pk in reprinted else None,
            )
        )
    return slips


# --- 出荷指示書 / ピッキングリスト --------------------------------------------------------------


def day_shipments(on: dt.date) -> QuerySet[Shipment]:
    """What leaves the warehouses on a day: the shipments shipped that day, and the draft
    shipments prepared by then and not yet shipped (still to pick)."""
    start = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))
    return Shipment.objects.filter(
        Q(status=Shipment.Status.SHIPPED, shipped_on=on) | Q(status=Shipment.Status.DRAFT, created_at__lt=start)
    ).order_by("pk")


def _picks(shipments: Sequence[Shipment]) -> list[tuple[Shipment, ShipmentLine, int, int]]:
    """(shipment, line, warehouse id, quantity) for every unit to pick. Shipment lines
    with their order lines and products: two queries; demands and allocations: three;
    stock moves of shipped ones: one."""
    lines = list(
        ShipmentLine.objects.filter(shipment__in=[s.pk for s in shipments], order_line__tracks_stock=True)
        .select_related("order_line__product")
        .order_by("shipment_id", "order_line__position", "pk")
    )
    by_pk = {s.pk: s for s in shipments}
    drafts = [line for line in lines if by_pk[line.shipment_id].status == Shipment.Status.DRAFT]
    shipped = [line for line in lines if by_pk[line.shipment_id].status == Shipment.Status.SHIPPED]
    picks = []
    if drafts:
        demands = demands_by_reference([line.order_line.demand_reference for line in drafts])
        for line in drafts:
            demand = demands.get(line.order_line.demand_reference)
            allocations = sorted(
                demand.allocations.all() if demand else [], key=lambda a: (not a.warehouse.is_default, a.warehouse.code)
            )
            remaining = line.quantity
            for allocation in allocations:
                if remaining <= 0:
                    break
                n = min(remaining, allocation.quantity)
                if n > 0:
                    picks.append((by_pk[line.shipment_id], line, allocation.warehouse_id, n))
                    remaining -= n
    if shipped:
        moves: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for reference, note, warehouse_id, quantity in StockMove.objects.filter(
            kind=StockMove.Kind.SHIPMENT, reference__in=[f"orders.Shipment:{line.shipment_id}" for line in shipped]
        ).values_list("reference", "note", "warehouse_id", "quantity"):
            moves[(reference, note)].append((warehouse_id, -quantity))
        for line in shipped:
            for warehouse_id, quantity in moves.get(
                (f"orders.Shipment:{line.shipment_id}", line.order_line.demand_reference), []
            ):
                picks.append((by_pk[line.shipment_id], line, warehouse_id, quantity))
    return picks


def _sections(picks, warehouses: dict[int, Warehouse]) -> tuple[PickingSection, ...]:
    rows: dict[int, dict[int | str, dict]] = defaultdict(dict)
    for shipment, line, warehouse_id, quantity in picks:
        order_line = line.order_line
        product = order_line.product
        key = product.pk if product else f"line:{order_line.pk}"
        row = rows[warehouse_id].setdefault(
            key,
            {
                "sku": product.sku if product else order_line.sku,
                "name": product.name if product else order_line.description,
                "unit": product.unit if product else order_line.unit,
                "quantity": 0,
                "to": {},
            },
        )
        row["quantity"] += quantity
        to_key = (shipment.order.number, shipment.pk)
        label = shipment.number or str(shipment)
        before = row["to"].get(to_key)
        row["to"][to_key] = PickDestination(
            order_number=shipment.order.number,
            customer=shipment.customer.name,
            shipment=label,
            quantity=quantity + (before.quantity if before else 0),
        )
    ordered = sorted(rows, key=lambda pk: (not warehouses[pk].is_default, warehouses[pk].code))
    return tuple(
        PickingSection(
            warehouse_code=warehouses[pk].code,
            warehouse_name=warehouses[pk].name,
            rows=tuple(
                PickRow(
                    sku=row["sku"],
                    name=row["name"],
                    unit=row["unit"],
                    quantity=row["quantity"],
                    destinations=tuple(row["to"][k] for k in sorted(row["to"])),
                )
                for row in sorted(rows[pk].values(), key=lambda r: (r["sku"], r["name"]))
            ),
        )
        for pk in ordered
    )


def _warehouses(picks) -> dict[int, Warehouse]:
    return {w.pk: w for w in Warehouse.objects.filter(pk__in={p[2] for p in picks})}


def shipment_picking_data(shipment: Shipment) -> PickingListData:
    """One shipment's 出荷指示書: what to pick in each warehouse for it."""
    shipment = Shipment.objects.select_related("order__ship_to", "customer").get(pk=shipment.pk)
    picks = _picks([shipment])
    order, customer = shipment.order, shipment.customer
    ship_to = order.ship_to
    if ship_to:
        delivery = " ".join(p for p in (ship_to.name, f"〒{ship_to.postal_code}" if ship_to.postal_code else "") if p)
        delivery = f"{delivery} {ship_to.address}"
    else:
        delivery = "得意先に同じ"
    facts = [
        ("出荷", shipment.number or str(shipment)),
        ("受注番号", order.number),
        ("得意先", f"{customer.code} {customer.name}"),
        ("納品先", delivery),
        ("客先注文番号", order.customer_po_number or "—"),
        ("希望納期", f"{order.requested_date:%Y/%m/%d}" if order.requested_date else "—"),
    ]
    shipped = shipment.status == Shipment.Status.SHIPPED
    return PickingListData(
        title=SHIPMENT_TITLE,
        number=shipment.number or str(shipment),
        date=shipment.shipped_on if shipped else timezone.localdate(shipment.created_at),
        date_label="出荷日" if shipped else "作成日",
        facts=tuple(facts),
        sections=_sections(picks, _warehouses(picks)),
    )


def day_picking_data(on: dt.date, *, warehouse: Warehouse | None = None) -> PickingListData:
    """The day's ピッキングリスト: every shipment of the day (see day_shipments), per
    warehouse (only `warehouse`'s when given) and product, with the orders each goes to."""
    shipments = list(day_shipments(on).select_related("order", "customer"))
    picks = _picks(shipments)
    if warehouse is not None:
        picks = [p for p in picks if p[2] == warehouse.pk]
    count = len({p[0].pk for p in picks})
    facts = [
        ("対象", f"{on:%Y/%m/%d} 出荷分（準備中を含む）"),
        ("出荷件数", f"{count}件"),
    ]
    if warehouse is not None and not picks:
        facts.insert(0, ("倉庫", f"{warehouse.code} {warehouse.name}"))
    return PickingListData(
        title=DAY_TITLE,
        number=f"PL-{on:%Y%m%d}" + (f"-{warehouse.code}" if warehouse else ""),
        date=on,
        date_label="出荷日",
        facts=tuple(facts),
        sections=_sections(picks, _warehouses(picks)),
    )
