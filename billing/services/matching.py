"""Matching (消込): writing allocations and the settled amounts and status of the
invoices they settle, customer credit (unmatched payments and credit notes) settling new
invoices, and the bank-fee rule. Nothing here is an entry point: it runs in the caller's
transaction, on rows the caller has locked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from backoffice.db import update_rows
from backoffice.status import change_status_many

from ..locking import lock_credit_notes, lock_payments
from ..models import Allocation, CreditNote, Invoice, Payment
from ..selectors import unmatched_credit

CreditSource = Payment | CreditNote


def settled_status(invoice: Invoice) -> str:
    """The status an invoice's settled amounts give it: paid, partially paid or issued."""
    settled = invoice.paid_amount + invoice.credited_amount
    if settled >= invoice.sales_total:
        return Invoice.Status.PAID
    if settled > 0:
        return Invoice.Status.PARTIALLY_PAID
    return Invoice.Status.ISSUED


def write_allocations(allocations: list[Allocation], invoices: dict[int, Invoice], user) -> None:
    """Insert allocations, then write the settled amounts of the (locked) invoices they
    settle in one UPDATE and move those whose status changes, in bulk per new status."""
    if not allocations:
        return
    Allocation.objects.bulk_create(allocations)
    touched = [invoices[pk] for pk in sorted({a.invoice_id for a in allocations})]
    update_rows(Invoice, touched, ["paid_amount", "credited_amount"])
    moves: dict[str, list[Invoice]] = defaultdict(list)
    for invoice in touched:
        if invoice.status != Invoice.Status.CANCELLED:
            moves[settled_status(invoice)].append(invoice)
    for status, moving in moves.items():
        change_status_many(moving, status, user=user)


def customer_credit(customer_ids: Iterable[int]) -> dict[int, list[CreditSource]]:
    """The customers' unmatched payments and credit notes, locked, oldest first, by customer."""
    found = unmatched_credit(customer_ids)
    if not found:  # usually there is none: one query
        return {}
    payments = lock_payments(pk for pk, kind in found if kind == Payment._meta.model_name)
    notes = lock_credit_notes(pk for pk, kind in found if kind == CreditNote._meta.model_name)
    sources: dict[int, list[CreditSource]] = defaultdict(list)
    for source in sorted(
        [*payments, *notes], key=lambda s: (getattr(s, "received_on", None) or s.issue_date, s.created_at)
    ):
        sources[source.customer_id].append(source)
    return sources


def settle_with_credit(invoices: Sequence[Invoice], sources: dict[int, list[CreditSource]], user) -> None:
    """Allocate the locked credit `sources` (from customer_credit) to the saved invoices."""
    if not sources:
        return
    allocations = []
    for invoice in sorted(invoices, key=lambda i: (i.due_date, i.pk)):
        for source in sources.get(invoice.customer_id, []):
            take = min(source.unallocated_amount, invoice.open_amount)
            if take <= 0:
                continue
            source.allocated_amount += take
            if isinstance(source, Payment):
                invoice.paid_amount += take
                allocations.append(Allocation(invoice=invoice, payment=source, amount=take))
            else:
                invoice.credited_amount += take
                allocations.append(Allocation(invoice=invoice, credit_note=source, amount=take))
    for model in (Payment, CreditNote):
        used = [s for customer_sources in sources.values() for s in customer_sources if isinstance(s, model)]
        update_rows(model, used, ["allocated_amount"])
    write_allocations(allocations, {i.pk: i for i in invoices}, user)


def apply_customer_credit(invoices: Sequence[Invoice], user) -> None:
    """Unmatched payments and credit notes of these invoices' customers settle them, oldest credit first."""
    settle_with_credit(invoices, customer_credit({i.customer_id for i in invoices if i.open_amount > 0}), user)


def bank_fee_shortfall(*, open_amount: Decimal, paid: Decimal, fee_limit: Decimal) -> Decimal | None:
    """The bank-fee rule (振込手数料の差し引き): money `paid` against an invoice with
    `open_amount` open settles it when it falls short by at most `fee_limit` (and by less
    than the money itself); the shortfall is the fee the customer deducted. Returns that
    fee (0 for an exact payment), or None when the money leaves the invoice open.

    The one rule for every path: oldest-first matching, explicit allocations that do not
    say where the fee goes, and the bank statement import (whose limit is the tolerance)."""
    shortfall = open_amount - paid
    if 0 <= shortfall <= fee_limit and shortfall < paid:
        return shortfall
    return None
