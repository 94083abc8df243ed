"""Purchase orders (発注): drafts, issuing the 発注書, receipts (入荷) that serve the waiting
demands, cancelling, and drafts made from the reorder suggestions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.businessdays import add_business_days
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.money import compute_totals, line_amount
from backoffice.selectors import company_profile
from backoffice.status import change_status, status_started
from documents.models import IssuedDocument
from documents.services import document_issue
from documents.types import CounterpartyKind, DocumentData, DocumentKind, DocumentLine, Party

from ..locking import ensure_stock_levels, lock_purchase_order
from ..models import Product, PurchaseOrder, PurchaseOrderLine, StockMove, Supplier, Warehouse
from ..selectors import reorder_suggestions
from .allocation import LockedStock, ledger_move, serve_waiting_and_save, served_summary
from .checks import check_tracked, max_quantity
from .results import ReceiptResult

RECEIVABLE = frozenset({PurchaseOrder.Status.ISSUED, PurchaseOrder.Status.PARTIALLY_RECEIVED})


def _issue_purchase_order_document(purchase_order: PurchaseOrder, user, *, rounding_mode: str) -> IssuedDocument:
    """Number and archive the 発注書 through the documents engine (PO-2026-000001).
    Inventory hands it plain data; the PDF is rendered after commit."""
    supplier = purchase_order.supplier
    lines = list(purchase_order.lines.select_related("product").order_by("position", "pk"))
    document_lines = [
        DocumentLine(
            sku=line.product.sku,
            name=line.product.name,
            quantity=line.quantity,
            unit=line.product.unit,
            unit_price=line.unit_cost,
            amount=line_amount(line.quantity, line.unit_cost, rounding_mode),
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
            name_kana=supplier.name_kana,
        ),
        lines=document_lines,
        totals=compute_totals([(line.tax_rate, line.amount) for line in document_lines], mode=rounding_mode),
        notes="",  # the order's notes are ours (「Created from reorder suggestions.」), not the supplier's
        extra={
            "delivery_date": purchase_order.expected_date,
            # the warehouse's name on one line, its full address under it (as the supplier's driver reads it)
            "delivery_place": "\n".join(part for part in (warehouse.name, warehouse.address.strip()) if part),
        },
    )
    return document_issue(data=data, user=user, source=purchase_order)


def _check_line_quantity(quantity, position: int) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= max_quantity():
        raise InvalidInput(
            _("Line %(n)d: enter a quantity from 1 to %(max)d.") % {"n": position, "max": max_quantity()},
            field="lines",
        )
    return quantity


def _clean_po_lines(lines: Sequence[Mapping[str, Any]], *, default_expected: dt.date) -> list[PurchaseOrderLine]:
    if not lines:
        raise InvalidInput(_("Add at least one line."), field="lines")
    limits = settings.LIMITS
    if len(lines) > limits["max_lines_per_document"]:
        raise InvalidInput(_("At most %(max)d lines.") % {"max": limits["max_lines_per_document"]}, field="lines")
    cleaned = []
    for position, line in enumerate(lines, start=1):
        product = line.get("product")
        if not isinstance(product, Product):
            raise InvalidInput(_("Line %(n)d: choose a product.") % {"n": position}, field="lines")
        check_tracked(product, "lines")
        quantity = _check_line_quantity(line.get("quantity"), position)
        unit_cost = line.get("unit_cost")
        unit_cost = product.cost if unit_cost is None else Decimal(unit_cost)
        if unit_cost < 0 or unit_cost > limits["max_unit_price"]:
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


@transaction.atomic
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
    return _draft_create(
        supplier=supplier, lines=lines, user=user, warehouse=warehouse, expected_date=expected_date, notes=notes
    )


def _draft_create(
    *,
    supplier: Supplier,
    lines: Sequence[Mapping[str, Any]],
    user,
    warehouse: Warehouse | None,
    expected_date: dt.date | None,
    notes: str,
) -> PurchaseOrder:
    """purchase_order_create's body, inside the caller's transaction (one draft of many)."""
    if not supplier.is_active:
        raise InvalidInput(_("This supplier is inactive."), field="supplier")
    expected_date = expected_date or add_business_days(timezone.localdate(), supplier.lead_time_days)
    cleaned = _clean_po_lines(lines, default_expected=expected_date)
    purchase_order = PurchaseOrder.objects.create(
        supplier=supplier,
        warehouse=warehouse or _default_warehouse(),
        expected_date=expected_date,
        notes=notes,
        created_by=audit.actor_or_none(user),
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


_HEADER_FIELDS = ["supplier_id", "warehouse_id", "expected_date", "notes"]


@transaction.atomic
def purchase_order_update(*, purchase_order: PurchaseOrder, user, data: Mapping[str, Any]) -> PurchaseOrder:
    """Change a draft: supplier, warehouse, expected_date, notes; `lines` replaces the lines."""
    purchase_order = lock_purchase_order(purchase_order.pk)
    if purchase_order.status != PurchaseOrder.Status.DRAFT:
        raise StateConflict(_("Only a draft purchase order can be changed."), field="status")
    data = dict(data)
    lines = data.pop("lines", None)
    if "supplier" in data and not data["supplier"].is_active:
        raise InvalidInput(_("This supplier is inactive."), field="supplier")
    before = audit.snapshot(purchase_order, _HEADER_FIELDS)
    for name in ("supplier", "warehouse", "expected_date", "notes"):
        if name in data:
            setattr(purchase_order, name, data[name])
    purchase_order.save(update_fields=["supplier", "warehouse", "expected_date", "notes"])
    changes = audit.diff(before, audit.snapshot(purchase_order, _HEADER_FIELDS))
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


@transaction.atomic
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
    document = _issue_purchase_order_document(purchase_order, user, rounding_mode=company_profile().rounding_mode)
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


def _received_quantities(
    po_lines: Mapping[int, PurchaseOrderLine], lines: Sequence[Mapping[str, Any]], *, allow_over_receipt: bool
) -> dict[int, int]:
    """The receipt's {line id: quantity}, checked against the order's lines."""
    received: dict[int, int] = {}
    for position, item in enumerate(lines, start=1):
        line_id = getattr(item.get("line"), "pk", item.get("line"))
        if line_id not in po_lines:
            raise InvalidInput(_("Line %(n)d: not a line of this purchase order.") % {"n": position}, field="lines")
        if line_id in received:
            raise InvalidInput(_("Line %(n)d: named twice.") % {"n": position}, field="lines")
        quantity = _check_line_quantity(item.get("quantity"), position)
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
    return received


@transaction.atomic
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
    received = _received_quantities(po_lines, lines, allow_over_receipt=allow_over_receipt)

    warehouse_id = purchase_order.warehouse_id
    product_ids = {po_lines[line_id].product_id for line_id in received}
    ensure_stock_levels((p, warehouse_id) for p in product_ids)
    stock = LockedStock(product_ids)
    reference = f"{purchase_order._meta.label}:{purchase_order.pk}"
    moves = []
    for line_id, quantity in received.items():
        line = po_lines[line_id]
        line.received_quantity += quantity
        stock.change(stock.level(line.product_id, warehouse_id), on_hand=quantity)
        moves.append(
            ledger_move(
                line.product_id,
                warehouse_id,
                quantity,
                StockMove.Kind.RECEIPT,
                reference=reference,
                note=purchase_order.number,
                user=user,
            )
        )
    StockMove.objects.bulk_create(moves)
    PurchaseOrderLine.objects.bulk_update([po_lines[i] for i in received], ["received_quantity"])
    served = serve_waiting_and_save(stock, product_ids)

    complete = all(line.received_quantity >= line.quantity for line in po_lines.values())
    before_status = purchase_order.status
    change_status(
        purchase_order,
        PurchaseOrder.Status.RECEIVED if complete else PurchaseOrder.Status.PARTIALLY_RECEIVED,
        user=user,
    )
    audit.record(
        actor=user,
        action="purchase_order.receive",
        obj=purchase_order,
        changes={
            "lines": [{"line": i, "quantity": q} for i, q in received.items()],
            "status": {"before": before_status, "after": purchase_order.status},
            "allow_over_receipt": allow_over_receipt,
            "served": served_summary(served),
        },
    )
    return ReceiptResult(purchase_order=purchase_order, moves=tuple(moves), served=served)


@transaction.atomic
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


@transaction.atomic
def purchase_orders_create_from_suggestions(
    *, user, product_quantities: Mapping[int, int] | None = None
) -> list[PurchaseOrder]:
    """Draft purchase orders, one per supplier, for the current reorder suggestions.

    `product_quantities` chooses products (by id) and, when the value is not None,
    overrides the suggested quantity; None takes every suggestion that has a supplier."""
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
            _draft_create(
                supplier=suppliers[supplier_id],
                lines=lines,
                user=user,
                warehouse=None,
                expected_date=max(line["expected_date"] for line in lines),
                notes=_("Created from reorder suggestions."),
            )
        )
    return created
