"""Shipments and delivery notes (出荷・納品): prepared from what is allocated, shipped
(stock leaves, the 納品書 is issued) or cancelled; and the invoiced flag billing sets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.db import update_rows
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.models import AuditEvent, CompanyProfile
from backoffice.money import ZERO, line_amount, net_amounts
from backoffice.roles import Role, require_role
from backoffice.selectors import company_profile
from backoffice.services import model_create
from backoffice.status import Move, change_status, change_status_many, change_statuses, require_status
from documents.services import document_issue
from documents.types import DocumentKind
from inventory.selectors import demands_by_reference
from inventory.services import ShipmentItem, stock_ship

from ..locking import lock_order, lock_shipment
from ..models import Order, OrderLine, Shipment, ShipmentLine
from .document_parts import sales_document
from .pricing import totals_for


def _pending_on_shipments(order_id: int) -> dict[int, int]:
    """Per order line: the quantity on the order's draft shipments."""
    return dict(
        ShipmentLine.objects.filter(shipment__order=order_id, shipment__status=Shipment.Status.DRAFT)
        .values("order_line")
        .annotate(total=Sum("quantity"))
        .values_list("order_line", "total")
    )


def _shippable_by_line(order: Order, order_lines: Iterable[OrderLine]) -> dict[int, int]:
    """Per order line: how much may go on a new shipment = allocated (stock lines) or
    ordered (service lines), less shipped, less what draft shipments already hold."""
    lines = [line for line in order_lines if not line.cancelled]
    demands = demands_by_reference(
        [line.demand_reference for line in lines if line.tracks_stock], with_allocations=False
    )
    pending = _pending_on_shipments(order.pk)
    shippable = {}
    for line in lines:
        if line.tracks_stock:
            demand = demands.get(line.demand_reference)
            ready = demand.allocated if demand is not None else 0
        else:
            ready = line.quantity - line.shipped_quantity
        shippable[line.pk] = max(0, ready - pending.get(line.pk, 0))
    return shippable


@transaction.atomic
def shipment_create(*, order: Order, user, lines: Sequence[tuple[int, int]] | None = None) -> Shipment:
    """Prepare a shipment of one order: `lines` is [(order_line_id, quantity)], or None
    for everything allocated and not yet shipped."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins prepare shipments."))
    order = lock_order(order.pk)
    require_status(
        order,
        Order.Status.CONFIRMED,
        Order.Status.PARTIALLY_SHIPPED,
        message=_("Only a confirmed order can be shipped."),
    )
    order_lines = {line.pk: line for line in order.lines.select_related("product")}
    shippable = _shippable_by_line(order, order_lines.values())
    if lines is None:
        lines = [(line_id, quantity) for line_id, quantity in shippable.items() if quantity > 0]
        if not lines:
            raise StateConflict(_("Nothing is allocated and ready to ship on this order."))
    if len(lines) > settings.LIMITS["max_lines_per_document"]:
        raise InvalidInput(_("Too many lines."), field="lines")
    seen = set()
    for index, (line_id, quantity) in enumerate(lines):
        if line_id not in shippable:
            raise InvalidInput(
                _("Line %(n)d is not a line of this order.") % {"n": index + 1}, field=f"lines[{index}].order_line"
            )
        if line_id in seen:
            raise InvalidInput(_("Line %(n)d is listed twice.") % {"n": index + 1}, field=f"lines[{index}].order_line")
        seen.add(line_id)
        if quantity <= 0:
            raise InvalidInput(_("Quantities must be at least 1."), field=f"lines[{index}].quantity")
        if quantity > shippable[line_id]:
            raise InvalidInput(
                _("Only %(ready)d can ship on this line (allocated and not yet on a shipment), not %(quantity)d.")
                % {"ready": shippable[line_id], "quantity": quantity},
                field=f"lines[{index}].quantity",
            )
    mode = company_profile().rounding_mode
    rows = []
    for line_id, quantity in lines:
        line = order_lines[line_id]
        amount = line_amount(quantity, line.unit_price, mode, line.discount_rate)
        unit_cost = line.product.cost if line.product_id else ZERO
        rows.append(ShipmentLine(order_line=line, quantity=quantity, amount=amount, unit_cost=unit_cost))
    rated = [(order_lines[row.order_line_id].tax_rate, row.amount) for row in rows]
    totals = totals_for(rated, customer=order.customer, mode=mode)
    # Each line's net as the delivery note states it (an invoice may restate it).
    for row, net in zip(rows, net_amounts(rated, mode=mode, tax_mode=order.customer.tax_mode), strict=True):
        row.net_amount = net
    shipment = model_create(
        model=Shipment,
        user=user,
        data={
            "order": order,
            "customer": order.customer,
            "sales_rep_id": order.customer.sales_rep_id,
            "tax_mode": order.customer.tax_mode,
            "created_by": user,
            **totals,
        },
        action="shipment.create",
        validate=False,
    )
    for row in rows:
        row.shipment = shipment
    ShipmentLine.objects.bulk_create(rows)
    return shipment


@transaction.atomic(savepoint=False)
def shipment_ship(
    *, shipment: Shipment, user, shipped_on: dt.date | None = None, profile: CompanyProfile | None = None
) -> Shipment:
    """The goods leave: stock moves out of the warehouses, the order lines record what
    shipped, and the 納品書 is issued with its DN number. A shipped shipment never changes.

    Shipping is also a billing step (the date must be outside closed billing periods, a
    per-shipment customer's invoice is issued as the goods leave), so views, the admin and
    commands call billing.services.shipment_ship_and_bill, which runs this inside its
    transaction. The returned shipment carries `shipped_lines` (its lines, with their
    order lines) and `customer`, already loaded. `profile`: the company profile, when the
    caller holds it (the 納品書 prints its issuer)."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins ship."))
    # The order first, then the shipment: the same lock order as shipment_create and order_cancel.
    order = lock_order(shipment.order_id)
    shipment = lock_shipment(shipment.pk)
    require_status(shipment, Shipment.Status.DRAFT, message=_("This shipment has already shipped or was cancelled."))
    shipped_on = shipped_on or timezone.localdate()
    if shipped_on > timezone.localdate():
        raise InvalidInput(_("The shipping date cannot be in the future."), field="shipped_on")
    if shipped_on < order.order_date:
        raise InvalidInput(_("The shipping date cannot be before the order date."), field="shipped_on")
    # All the order's lines once: the shipment's lines point into them, and the order's
    # status after shipping is read from them.
    lines_of_order = {line.pk: line for line in order.lines.all()}
    lines = list(shipment.lines.all())
    for line in lines:
        line.order_line = lines_of_order[line.order_line_id]
    stock_lines = [line for line in lines if line.order_line.tracks_stock]
    demands = demands_by_reference([line.order_line.demand_reference for line in stock_lines], with_allocations=False)
    for line in stock_lines:
        demand = demands.get(line.order_line.demand_reference)
        if demand is None or demand.allocated < line.quantity:
            raise StateConflict(
                _("Line %(n)d: only %(allocated)d allocated, cannot ship %(quantity)d.")
                % {
                    "n": line.order_line.position,
                    "allocated": demand.allocated if demand else 0,
                    "quantity": line.quantity,
                }
            )
    if stock_lines:
        stock_ship(
            items=[
                ShipmentItem(demand=demands[line.order_line.demand_reference], quantity=line.quantity)
                for line in stock_lines
            ],
            reference=f"orders.Shipment:{shipment.pk}",
            user=user,
        )
    # The order row is locked, so its lines' shipped quantities are current: one UPDATE.
    order_lines = [line.order_line for line in lines]
    for line in lines:
        line.order_line.shipped_quantity += line.quantity
    update_rows(OrderLine, order_lines, ["shipped_quantity"])

    shipment.customer = order.customer  # loaded with the order: the note and billing read it
    data = sales_document(
        kind=DocumentKind.DELIVERY_NOTE,
        document_date=shipped_on,
        source=shipment,
        lines=lines,
        subject=_("Order %(number)s") % {"number": order.number},
        extra={
            **({"order_number": order.customer_po_number} if order.customer_po_number else {}),
            # A customer who signs on delivery gets the 受領書 page in the issued PDF itself.
            **({"receipt": True} if order.customer.signs_receipt else {}),
        },
    )
    document = document_issue(data=data, user=user, source=shipment, profile=profile)
    shipment.delivery_note = document
    shipment.number = document.number
    shipment.shipped_on = shipped_on
    shipment.shipped_by = user
    shipment.sales_rep_id = order.customer.sales_rep_id  # the sale belongs to the rep of the day it ships
    # The shipment's move and its order's, their events written together.
    change_statuses(
        [
            Move(
                shipment,
                Shipment.Status.SHIPPED,
                comment=document.number,
                fields=("delivery_note", "number", "shipped_on", "shipped_by", "sales_rep"),
            ),
            Move(order, _order_status_after_shipping(order, lines_of_order.values())),
        ],
        user=user,
    )
    shipment.shipped_lines = lines  # with their order lines: billing invoices them without reading them again
    return shipment


def _order_status_after_shipping(order: Order, order_lines: Iterable[OrderLine]) -> str:
    """Shipped or partially shipped, from all the (current) lines of the locked order."""
    lines = [line for line in order_lines if not line.cancelled]
    shipped_all = all(line.shipped_quantity >= line.quantity for line in lines)
    shipped_any = any(line.shipped_quantity for line in lines)
    return Order.Status.SHIPPED if shipped_all else Order.Status.PARTIALLY_SHIPPED if shipped_any else order.status


@transaction.atomic
def shipment_cancel(*, shipment: Shipment, user) -> Shipment:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins cancel shipments."))
    shipment = lock_shipment(shipment.pk)
    require_status(shipment, Shipment.Status.DRAFT, message=_("A shipped shipment never changes: record a return."))
    change_status(shipment, Shipment.Status.CANCELLED, user=user)
    return shipment


# --- for billing: steps of its own services, in their transactions --------------------------


def _orders_all_invoiced(order_ids: Sequence[int]) -> list[Order]:
    """The shipped orders among these whose shipped goods are all invoiced (pk, number, status)."""
    uninvoiced = Shipment.objects.filter(order=OuterRef("pk"), status=Shipment.Status.SHIPPED, invoiced=False)
    return list(
        Order.objects.filter(pk__in=order_ids, status=Order.Status.SHIPPED)
        .exclude(Exists(uninvoiced))
        .only("pk", "number", "status")
        .order_by("pk")
    )


_INVOICED = {"invoiced": {"before": False, "after": True}}


@transaction.atomic(savepoint=False)
def shipments_mark_invoiced(*, shipments: Sequence[Shipment], user, also_audit: Sequence[AuditEvent] = ()) -> int:
    """Billing has invoiced these shipped shipments: flag them, and move each order whose
    shipped goods are now all invoiced from shipped to invoiced (a partially shipped order
    stays as it is). A fixed number of queries for any number of shipments; `also_audit`,
    billing's events of the same step (the invoices issued), go in the same INSERT."""
    shipments = sorted({s.pk: s for s in shipments}.values(), key=lambda s: s.pk)
    if not shipments:
        audit.record_events(list(also_audit))
        return 0
    marked = Shipment.objects.filter(
        pk__in=[s.pk for s in shipments], status=Shipment.Status.SHIPPED, invoiced=False
    ).update(invoiced=True)
    if marked != len(shipments):
        raise StateConflict(_("A shipment is not shipped or has already been invoiced."), code="already_invoiced")
    for shipment in shipments:
        shipment.invoiced = True
    orders = _orders_all_invoiced(sorted({s.order_id for s in shipments}))
    change_status_many(
        orders,
        Order.Status.INVOICED,
        user=user,
        also_audit=[
            audit.event(actor=user, action="shipment.invoiced", obj=shipment, changes=_INVOICED)
            for shipment in shipments
        ]
        + list(also_audit),
    )
    return marked


@transaction.atomic(savepoint=False)
def shipment_lines_restate_net(*, lines: Sequence[ShipmentLine]) -> int:
    """The invoice that bills these shipped lines states their amounts excluding tax
    (`net_amount` set on each: a consolidated invoice extracts a tax-inclusive customer's
    tax once per rate over the whole period, not per delivery note). One UPDATE per 500."""
    return update_rows(ShipmentLine, lines, ["net_amount"])


@transaction.atomic(savepoint=False)
def shipments_mark_uninvoiced(*, shipment_ids: Sequence[int], user) -> int:
    """A cancelled invoice gives its shipments back to billing, and their invoiced orders
    go back to shipped (an order is invoiced only once all it shipped is invoiced)."""
    shipment_ids = sorted(set(shipment_ids))
    marked = Shipment.objects.filter(pk__in=shipment_ids, invoiced=True).update(invoiced=False)
    shipments = list(Shipment.objects.filter(pk__in=shipment_ids).only("pk", "number", "order_id"))
    audit.record_many(
        actor=user,
        action="shipment.uninvoiced",
        items=[(shipment, {"invoiced": {"before": True, "after": False}}) for shipment in shipments],
    )
    orders = list(
        Order.objects.filter(pk__in={s.order_id for s in shipments}, status=Order.Status.INVOICED)
        .only("pk", "number", "status")
        .order_by("pk")
    )
    change_status_many(orders, Order.Status.SHIPPED, user=user)
    return marked
