"""Building and saving invoices, shared by the per-shipment invoice and the closing run:
the lines copied from the shipments, the lines as printed, the issued document, and the
rows written in bulk. Nothing here is an entry point: it runs in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.audit import actor_or_none
from backoffice.businessdays import due_date
from backoffice.exceptions import StateConflict
from backoffice.money import ZERO, Totals, compute_totals, net_amounts
from documents.services import document_issue
from documents.types import DocumentData, DocumentKind, DocumentLine
from orders.models import Customer, Shipment, ShipmentLine
from orders.services import customer_party, printed_line, shipment_lines_restate_net, shipments_mark_invoiced

from ..models import ClosingRun, CreditNote, Invoice, InvoiceLine, InvoiceShipment
from .validation import max_document_lines

# An invoice as built, before it is saved: the invoice, its lines, the shipments it bills.
Built = tuple[Invoice, list[InvoiceLine], list[Shipment]]


def invoice_lines(
    shipments: Sequence[Shipment], lines_of: dict[int, Sequence[ShipmentLine]] | None = None
) -> list[InvoiceLine]:
    """Unsaved invoice lines copied from the shipments' lines: prefetched, or given by
    shipment id in `lines_of` (with their order lines loaded, in order line order)."""
    rows = []
    for shipment in shipments:
        for line in lines_of[shipment.pk] if lines_of is not None else shipment.lines.all():
            order_line = line.order_line
            rows.append(
                InvoiceLine(
                    position=len(rows) + 1,
                    shipment_line=line,
                    delivery_note_number=shipment.number,
                    shipped_on=shipment.shipped_on,
                    product_id=order_line.product_id,
                    sku=order_line.sku,
                    description=order_line.description,
                    quantity=line.quantity,
                    unit=order_line.unit,
                    unit_price=order_line.unit_price,
                    tax_rate=order_line.tax_rate,
                    amount=line.amount,
                )
            )
    return rows


def document_lines(lines: Sequence[InvoiceLine]) -> list[DocumentLine]:
    """The items as printed. A document holds at most max_document_lines() lines: beyond
    that a period is summarised per delivery note and rate (the delivery notes carry the
    items), and beyond that per rate."""
    if not lines:
        # A statement invoice (no sales, a balance): one empty line keeps the layout.
        return [
            DocumentLine(
                sku="", name="今回お取引はございません", quantity=0, unit="", unit_price=ZERO, amount=ZERO, tax_rate=10
            )
        ]
    most = max_document_lines()
    if len(lines) <= most:
        return [
            printed_line(
                line,
                sku=line.sku,
                quantity=line.quantity,
                amount=line.amount,
                note=line.delivery_note_number,
                delivery_date=line.shipped_on,
            )
            for line in lines
        ]
    sums: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        sums[(line.shipped_on, line.delivery_note_number, line.tax_rate)] += line.amount
    if len(sums) > most:
        by_rate: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        for (_day, _number, rate), amount in sums.items():
            by_rate[(None, "", rate)] += amount
        sums = by_rate
    return [
        DocumentLine(
            sku=number,
            name=f"{day:%m/%d} 納品分" if day else "今回お買上げ分（納品書明細のとおり）",
            quantity=1,
            unit="式",
            unit_price=amount,
            amount=amount,
            tax_rate=rate,
        )
        for (day, number, rate), amount in sorted(
            sums.items(), key=lambda item: (item[0][0] or dt.date.min, item[0][1], -item[0][2])
        )
    ]


@dataclass(frozen=True)
class Balance:
    """A consolidated invoice's running balance: 前回御請求額, ご入金額, 返品・値引."""

    previous: Decimal = ZERO
    payments: Decimal = ZERO
    credits: Decimal = ZERO

    @property
    def carried_over(self) -> Decimal:
        return self.previous - self.payments - self.credits


def build_invoice(
    *,
    customer: Customer,
    kind: str,
    shipments: Sequence[Shipment],
    issue_date: dt.date,
    profile,
    user,
    source,
    period: tuple[dt.date, dt.date] | None = None,
    balance: Balance = Balance(),
    reported_credit_notes: Sequence[CreditNote] = (),
    closing_run: ClosingRun | None = None,
    lines_of: dict[int, Sequence[ShipmentLine]] | None = None,
    credit_available: Decimal = ZERO,
) -> tuple[Invoice, list[InvoiceLine]]:
    """Issue the document and return the unsaved invoice with its unsaved lines; the due
    date follows from the issue date and the customer's terms. `credit_available` is the
    customer credit (locked) that will settle a per-shipment invoice right after it is
    saved: the document prints it as applied."""
    invoice, lines, data = invoice_draft(
        customer=customer,
        kind=kind,
        shipments=shipments,
        issue_date=issue_date,
        profile=profile,
        user=user,
        period=period,
        balance=balance,
        reported_credit_notes=reported_credit_notes,
        closing_run=closing_run,
        lines_of=lines_of,
        credit_available=credit_available,
    )
    document = document_issue(data=data, user=user, source=source, profile=profile)  # read once by the caller
    invoice.number = document.number
    invoice.document = document
    return invoice, lines


def invoice_figures(*, rated, customer: Customer, issue_date: dt.date, profile) -> tuple[Totals, dt.date]:
    """An invoice's totals and due date from its (tax rate, amount) pairs. Tax is computed
    once per rate on that rate's sum, so how the pairs are grouped (line by line, or the
    printed summaries) changes nothing: the closing preview passes the shipment lines'
    pairs, read without building the lines, and gets the run's figures."""
    totals = compute_totals(rated, mode=profile.rounding_mode, tax_mode=customer.tax_mode)
    due = due_date(
        issue_date,
        payment_month_offset=customer.payment_month_offset,
        payment_day=customer.payment_day,
        rule=profile.holiday_rule,
    )
    return totals, due


def invoice_draft(
    *,
    customer: Customer,
    kind: str,
    shipments: Sequence[Shipment],
    issue_date: dt.date,
    profile,
    user,
    period: tuple[dt.date, dt.date] | None = None,
    balance: Balance = Balance(),
    reported_credit_notes: Sequence[CreditNote] = (),
    closing_run: ClosingRun | None = None,
    lines_of: dict[int, Sequence[ShipmentLine]] | None = None,
    credit_available: Decimal = ZERO,
) -> tuple[Invoice, list[InvoiceLine], DocumentData]:
    """The invoice as it would be issued, written nowhere: the unsaved invoice (no number,
    no document yet), its unsaved lines and the document's data. build_invoice issues it;
    the closing preview shows it, so the preview and the run can never differ."""
    lines = invoice_lines(shipments, lines_of)
    printed = document_lines(lines)
    # The printed lines carry the same sums per rate as the invoice lines (summaries included).
    totals, due = invoice_figures(
        rated=[(line.tax_rate, line.amount) for line in printed],
        customer=customer,
        issue_date=issue_date,
        profile=profile,
    )
    extra: dict[str, Any] = {"due_date": due}
    document_kind = DocumentKind.INVOICE
    if kind == Invoice.Kind.PER_SHIPMENT:
        (shipment,) = shipments
        extra["transaction_date"] = shipment.shipped_on
        credit_applied = min(credit_available, totals.total) if totals.total > 0 else ZERO
        if credit_applied > 0:
            extra["credit_applied"] = credit_applied
    if kind == Invoice.Kind.CONSOLIDATED:
        document_kind = DocumentKind.CONSOLIDATED_INVOICE
        extra.update(
            period_start=period[0],
            period_end=period[1],
            previous_balance=balance.previous,
            payments=balance.payments,
            credits=balance.credits,
            carried_over=balance.carried_over,
            delivery_notes=[{"number": s.number, "date": s.shipped_on, "amount": s.subtotal} for s in shipments]
            + [{"number": c.number, "date": c.issue_date, "amount": -c.subtotal} for c in reported_credit_notes],
        )
    data = DocumentData(
        kind=document_kind,
        document_date=issue_date,
        recipient=customer_party(customer),
        lines=printed,
        totals=totals,
        tax_mode=customer.tax_mode,
        extra=extra,
    )
    invoice = Invoice(
        number="",
        kind=kind,
        customer=customer,
        issue_date=issue_date,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        due_date=due,
        tax_mode=customer.tax_mode,
        previous_balance=balance.previous,
        payments_received=balance.payments,
        credits=balance.credits,
        carried_over=balance.carried_over,
        sales_amount=totals.subtotal,
        tax_total=totals.tax_total,
        sales_total=totals.total,
        total=balance.carried_over + totals.total,
        tax_breakdown=[
            {"rate": b.rate, "subtotal": str(b.subtotal), "tax": str(b.tax)} for b in totals.breakdown if lines
        ],
        # Its first status, not a move: nothing to settle is settled.
        status=Invoice.Status.PAID if totals.total == 0 else Invoice.Status.ISSUED,
        closing_run=closing_run,
        created_by=actor_or_none(user),
    )
    return invoice, lines, data


def save_invoices(built: Sequence[Built], *, user, profile) -> list[Invoice]:
    """Insert invoices, lines and shipment links in bulk, flag the shipments invoiced."""
    invoices = Invoice.objects.bulk_create([invoice for invoice, _lines, _shipments in built])
    lines, links, invoiced = [], [], []
    for invoice, invoice_lines_, shipments in built:
        for line in invoice_lines_:
            line.invoice = invoice
            lines.append(line)
        for shipment in shipments:
            links.append(InvoiceShipment(invoice=invoice, shipment=shipment))
            invoiced.append(shipment)
    InvoiceLine.objects.bulk_create(lines, batch_size=2000)
    _restate_net_amounts(built, profile)
    try:
        # The unique link per shipment is what makes a shipment invoiced at most once.
        with transaction.atomic(savepoint=False):
            InvoiceShipment.objects.bulk_create(links, batch_size=2000)
    except IntegrityError as error:
        raise StateConflict(_("A shipment has already been invoiced."), code="already_invoiced") from error
    issued = [
        audit.event(
            actor=user,
            action="invoice.issue",
            obj=invoice,
            changes={
                "number": invoice.number,
                "kind": invoice.kind,
                "customer": invoice.customer_id,
                "total": invoice.total,
                "due_date": invoice.due_date,
                "shipments": [s.number for s in shipments],
            },
        )
        for invoice, _lines, shipments in built
    ]
    shipments_mark_invoiced(shipments=invoiced, user=user, also_audit=issued)  # their events in one INSERT
    return invoices


def _restate_net_amounts(built: Sequence[Built], profile) -> None:
    """The invoice states its shipment lines' amounts excluding tax: for a tax-inclusive
    customer the tax extracted once per rate over the invoice, shared among its lines, so
    sales reports add up to the invoice (and the journal). A per-shipment invoice states
    what the delivery note did, so only consolidated ones usually write anything."""
    restated = []
    for invoice, lines, _shipments in built:
        rated = [(line.tax_rate, line.amount) for line in lines]
        nets = net_amounts(rated, mode=profile.rounding_mode, tax_mode=invoice.tax_mode)
        for line, net in zip(lines, nets, strict=True):
            if line.shipment_line.net_amount != net:
                line.shipment_line.net_amount = net
                restated.append(line.shipment_line)
    if restated:
        shipment_lines_restate_net(lines=restated)
