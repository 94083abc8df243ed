"""Credit notes (返品・値引, 適格返還請求書) against an invoice: returned goods go back into
stock, the amounts and tax per rate are credited; the note settles the invoice's open
amount and the rest is customer credit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.audit import actor_or_none
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.money import ZERO, compute_totals, net_amounts, quantize_yen
from backoffice.roles import Role, require_role
from backoffice.selectors import company_profile_with_bank_accounts
from documents.services import document_issue
from documents.types import DocumentData, DocumentKind, DocumentLine
from inventory.locking import ensure_stock_levels, lock_stock_levels
from inventory.models import Product, Warehouse
from inventory.services import stock_return
from orders.services import customer_party

from ..locking import lock_invoices
from ..models import Allocation, CreditNote, CreditNoteLine, Invoice, InvoiceLine
from .matching import write_allocations
from .validation import check_amount, check_not_in_future, check_text, max_document_lines


@dataclass(frozen=True)
class CreditLineInput:
    """A return: `quantity` units of the invoice line. A price reduction: `amount` yen off it."""

    invoice_line: InvoiceLine
    quantity: int = 0
    amount: Decimal | None = None


@transaction.atomic
def credit_note_issue(
    *,
    invoice: Invoice,
    kind: str,
    lines: Sequence[CreditLineInput],
    reason: str,
    user,
    issue_date: dt.date | None = None,
    warehouse=None,
) -> CreditNote:
    """A 適格返還請求書 against an invoice: returned goods go back into stock, the amounts and
    tax per rate are credited. It settles the invoice's open amount; the rest is customer
    credit. The invoice itself never changes beyond its settled amount."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins issue credit notes."))
    if kind not in CreditNote.Kind.values:
        raise InvalidInput(_("Choose return or price reduction."), field="kind")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the return or reduction."), field="reason")
    check_text(reason, "reason", max_length=200)
    issue_date = issue_date or timezone.localdate()
    check_not_in_future(issue_date, "issue_date")
    if issue_date < invoice.issue_date:
        raise InvalidInput(_("A credit note cannot be dated before its invoice."), field="issue_date")
    if not lines:
        raise InvalidInput(_("A credit note needs at least one line."), field="lines")
    if len(lines) > max_document_lines():
        raise InvalidInput(_("Too many lines."), field="lines")
    return_warehouse = _lock_stock_of_returns(invoice, kind, lines, warehouse)
    (invoice,) = lock_invoices([invoice.pk])
    if invoice.status == Invoice.Status.CANCELLED:
        raise StateConflict(_("A cancelled invoice cannot be credited."))
    profile = company_profile_with_bank_accounts()  # read once and passed down
    rows, returns = _credit_lines(invoice, kind, lines, profile)
    rated = [(row.tax_rate, row.amount) for row in rows]
    totals = compute_totals(rated, mode=profile.rounding_mode, tax_mode=invoice.tax_mode)
    for row, net in zip(rows, net_amounts(rated, mode=profile.rounding_mode, tax_mode=invoice.tax_mode), strict=True):
        row.net_amount = net
    already = invoice.credit_notes.aggregate(total=Sum("total"))["total"] or ZERO
    if already + totals.total > invoice.sales_total:
        raise InvalidInput(
            _("The credit notes would exceed the invoice's ¥%(total)s.") % {"total": f"{invoice.sales_total:,}"},
            field="lines",
        )
    if returns:
        warehouse = return_warehouse
        if warehouse is None:
            raise InvalidInput(_("Choose the warehouse the goods come back to."), field="warehouse")
        for product, quantity in sorted(returns, key=lambda item: item[0].pk):  # stock is locked by product
            stock_return(
                product=product,
                warehouse=warehouse,
                quantity=quantity,
                reference=f"billing.Invoice:{invoice.pk}",
                note=f"返品 {invoice.number}: {reason}",
                user=user,
            )
    data = _credit_note_document(invoice, rows, totals, issue_date=issue_date, reason=reason)
    document = document_issue(data=data, user=user, source=invoice, supersedes=invoice.document, profile=profile)
    note = CreditNote.objects.create(
        number=document.number,
        kind=kind,
        invoice=invoice,
        customer=invoice.customer,
        issue_date=issue_date,
        reason=reason,
        warehouse=warehouse if returns else None,
        subtotal=totals.subtotal,
        tax_total=totals.tax_total,
        total=totals.total,
        tax_breakdown=[{"rate": b.rate, "subtotal": str(b.subtotal), "tax": str(b.tax)} for b in totals.breakdown],
        document=document,
        created_by=actor_or_none(user),
    )
    for row in rows:
        row.credit_note = note
    CreditNoteLine.objects.bulk_create(rows)
    audit.record(
        actor=user,
        action="credit_note.issue",
        obj=note,
        changes={"invoice": invoice.number, "kind": kind, "total": note.total, "reason": reason},
    )
    take = min(note.total, invoice.open_amount)
    if take > 0:
        note.allocated_amount = take
        note.save(update_fields=["allocated_amount"])
        invoice.credited_amount += take
        write_allocations([Allocation(invoice=invoice, credit_note=note, amount=take)], {invoice.pk: invoice}, user)
    return note


def _lock_stock_of_returns(
    invoice: Invoice, kind: str, lines: Sequence[CreditLineInput], warehouse: Warehouse | None
) -> Warehouse | None:
    """Stock comes before billing's rows in the one lock order (ARCHITECTURE.md), so the
    stock of the goods that come back is locked before the invoice: the products of the
    invoice lines named (an issued invoice's lines never change), their rows in the
    warehouse the goods return to created first. That warehouse is returned (the given
    one, else the default; None if there is none)."""
    if kind != CreditNote.Kind.RETURN:
        return warehouse
    named = [item.invoice_line.pk for item in lines if getattr(item.invoice_line, "pk", None)]
    product_ids = set(
        InvoiceLine.objects.filter(invoice=invoice.pk, pk__in=named, product__track_stock=True).values_list(
            "product_id", flat=True
        )
    )
    if not product_ids:
        return warehouse
    warehouse = warehouse or Warehouse.objects.filter(is_default=True).first()
    if warehouse is not None:
        ensure_stock_levels((product_id, warehouse.pk) for product_id in product_ids)
    lock_stock_levels(product_ids)
    return warehouse


def _credit_lines(
    invoice: Invoice, kind: str, lines: Sequence[CreditLineInput], profile
) -> tuple[list[CreditNoteLine], list[tuple[Product, int]]]:
    """The unsaved credit note lines for the (locked) invoice, each checked against what
    is left of its invoice line, and the goods that come back: (product, quantity)."""
    invoice_lines = {line.pk: line for line in invoice.lines.select_related("product")}
    credited = {
        row["invoice_line"]: row
        for row in CreditNoteLine.objects.filter(invoice_line__invoice=invoice)
        .values("invoice_line")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
    }
    rows: list[CreditNoteLine] = []
    returns = []
    seen = set()
    for index, item in enumerate(lines):
        field = f"lines[{index}]"
        line = invoice_lines.get(getattr(item.invoice_line, "pk", None))
        if line is None:
            raise InvalidInput(_("This is not a line of the invoice."), field=f"{field}.invoice_line")
        if line.pk in seen:
            raise InvalidInput(_("This line is listed twice."), field=f"{field}.invoice_line")
        seen.add(line.pk)
        done = credited.get(line.pk, {"quantity": 0, "amount": ZERO})
        left_amount = line.amount - done["amount"]
        if kind == CreditNote.Kind.RETURN:
            left_quantity = line.quantity - done["quantity"]
            quantity = item.quantity
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
                raise InvalidInput(_("Enter the quantity returned."), field=f"{field}.quantity")
            if quantity > left_quantity:
                raise InvalidInput(
                    _("Only %(count)d can be returned on this line.") % {"count": max(left_quantity, 0)},
                    field=f"{field}.quantity",
                )
            amount = (
                left_amount
                if quantity == left_quantity
                else quantize_yen(line.amount * quantity / line.quantity, profile.rounding_mode)
            )
            if line.product_id and line.product.track_stock:
                returns.append((line.product, quantity))
        else:
            quantity = 0
            amount = check_amount(item.amount, f"{field}.amount") if item.amount is not None else None
            if amount is None:
                raise InvalidInput(_("Enter the amount of the reduction."), field=f"{field}.amount")
        if amount <= 0 or amount > left_amount:
            raise InvalidInput(
                _("At most ¥%(left)s can be credited on this line.") % {"left": f"{max(left_amount, ZERO):,}"},
                field=f"{field}.amount" if kind == CreditNote.Kind.PRICE_REDUCTION else f"{field}.quantity",
            )
        rows.append(CreditNoteLine(invoice_line=line, quantity=quantity, amount=amount, tax_rate=line.tax_rate))
    return rows, returns


def _credit_note_document(
    invoice: Invoice, rows: Sequence[CreditNoteLine], totals, *, issue_date: dt.date, reason: str
) -> DocumentData:
    """The 適格返還請求書 as printed: returns by quantity, reductions as one 式 each."""
    shipped = [row.invoice_line.shipped_on for row in rows if row.invoice_line.shipped_on]
    return DocumentData(
        kind=DocumentKind.CREDIT_NOTE,
        document_date=issue_date,
        recipient=customer_party(invoice.customer),
        lines=[
            DocumentLine(
                sku=row.invoice_line.sku,
                name=row.invoice_line.description,
                quantity=row.quantity or 1,
                unit=row.invoice_line.unit if row.quantity else "式",
                unit_price=row.invoice_line.unit_price if row.quantity else row.amount,
                amount=row.amount,
                tax_rate=row.tax_rate,
                note="返品" if row.quantity else "値引",
            )
            for row in rows
        ],
        totals=totals,
        tax_mode=invoice.tax_mode,
        extra={
            "original_number": invoice.number,
            "original_date": max(shipped) if shipped else invoice.issue_date,
            "reason": reason,
        },
    )
