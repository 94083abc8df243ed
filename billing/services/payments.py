"""Payments (入金) and their matching (消込) to invoices: the given allocations, or the
oldest open invoices first; what is left over is customer credit for the next invoice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.audit import actor_or_none
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.money import ZERO
from backoffice.roles import Role, require_role
from orders.models import Customer

from ..locking import lock_invoices, lock_payments
from ..models import Allocation, Invoice, Payment, PaymentMethod
from ..selectors import OPEN_STATUSES
from .matching import bank_fee_shortfall, write_allocations
from .validation import check_amount, check_not_in_future, check_text, max_document_lines


@dataclass(frozen=True)
class AllocationInput:
    invoice: Invoice
    amount: Decimal
    bank_fee: Decimal = ZERO


@transaction.atomic
def payment_record(
    *,
    customer: Customer,
    received_on: dt.date,
    amount: Decimal,
    user,
    bank_fee: Decimal = ZERO,
    method: str = PaymentMethod.TRANSFER,
    payer_name: str = "",
    note: str = "",
    allocations: Sequence[AllocationInput] | None = None,
) -> Payment:
    """入金: record money received and match it, to the given invoices or oldest first. What
    is left over stays as customer credit for the next invoice."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins record payments."))
    amount = check_amount(amount, "amount")
    bank_fee = check_amount(bank_fee, "bank_fee", allow_zero=True)
    if bank_fee > amount:
        raise InvalidInput(_("The bank fee cannot be larger than the payment."), field="bank_fee")
    if not isinstance(received_on, dt.date):
        raise InvalidInput(_("Enter the date received."), field="received_on")
    check_not_in_future(received_on, "received_on")
    if method not in PaymentMethod.values:
        raise InvalidInput(_("Choose a payment method."), field="method")
    check_text(payer_name, "payer_name", max_length=100)
    check_text(note, "note", max_length=200)
    payment = Payment.objects.create(
        customer=customer,
        received_on=received_on,
        amount=amount,
        bank_fee=bank_fee,
        method=method,
        payer_name=payer_name.strip(),
        note=note.strip(),
        created_by=actor_or_none(user),
    )
    audit.record(actor=user, action="payment.record", obj=payment, changes=audit.snapshot(payment))
    _allocate(payment, allocations, user)
    return payment


# The same step inside a caller's transaction, without a savepoint of its own: the bank
# statement import records a payment for each row it matches.
payment_record_inner = transaction.atomic(savepoint=False)(payment_record.__wrapped__)


@transaction.atomic
def payment_allocate(*, payment: Payment, user, allocations: Sequence[AllocationInput] | None = None) -> Payment:
    """Match what is still unallocated on a payment (its customer credit)."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins match payments."))
    (payment,) = lock_payments([payment.pk])
    if payment.unallocated_amount <= 0 and payment.allocated_fee >= payment.bank_fee:
        raise StateConflict(_("This payment is fully allocated."))
    _allocate(payment, allocations, user)
    return payment


def _allocate(payment: Payment, allocations: Sequence[AllocationInput] | None, user) -> list[Allocation]:
    """Match a locked payment: the given allocations, or oldest open invoice first."""
    if allocations is not None:
        return _allocate_explicit(payment, allocations, user)
    open_ids = Invoice.objects.filter(customer_id=payment.customer_id, status__in=OPEN_STATUSES).values_list(
        "pk", flat=True
    )
    invoices = lock_invoices(open_ids)
    planned = suggest_allocations(
        invoices, amount=payment.unallocated_amount, bank_fee=payment.bank_fee - payment.allocated_fee
    )
    rows = []
    for item in planned:
        rows.append(Allocation(invoice=item.invoice, payment=payment, amount=item.amount, bank_fee=item.bank_fee))
        item.invoice.paid_amount += item.amount + item.bank_fee
    _finish_payment_allocation(payment, rows, {i.pk: i for i in invoices}, user)
    return rows


def suggest_allocations(invoices: Sequence[Invoice], *, amount: Decimal, bank_fee: Decimal) -> list[AllocationInput]:
    """Oldest first (by due date): how `amount` received, of which the customer deducted up to
    `bank_fee`, matches these invoices at their open amounts, with the bank-fee rule. What
    payment_record does when given no allocations; it writes nothing, so the payment screen
    shows it as the suggestion before anything is saved."""
    remaining, fee_left = amount, bank_fee
    planned = []
    for invoice in sorted(invoices, key=lambda i: (i.due_date, i.issue_date, i.pk)):
        due = invoice.open_amount
        if remaining <= 0 or due <= 0:
            continue
        take = min(remaining, due)
        fee = bank_fee_shortfall(open_amount=due, paid=take, fee_limit=fee_left) or ZERO
        planned.append(AllocationInput(invoice=invoice, amount=take, bank_fee=fee))
        remaining -= take
        fee_left -= fee
    return planned


def _check_allocations(payment: Payment, items: Sequence[AllocationInput]) -> Decimal:
    """Each allocation on its own and their sums against the payment; returns the fees given."""
    if len(items) > max_document_lines():
        raise InvalidInput(_("Too many allocations."), field="allocations")
    seen = set()
    total = fee_total = ZERO
    for index, item in enumerate(items):
        field = f"allocations[{index}]"
        amount = check_amount(item.amount, f"{field}.amount", allow_zero=True)
        fee = check_amount(item.bank_fee, f"{field}.bank_fee", allow_zero=True)
        if amount + fee == 0:
            raise InvalidInput(_("Allocate an amount of more than zero."), field=f"{field}.amount")
        if item.invoice.customer_id != payment.customer_id:
            raise InvalidInput(_("This invoice is another customer's."), field=f"{field}.invoice")
        if item.invoice.pk in seen:
            raise InvalidInput(_("This invoice is listed twice."), field=f"{field}.invoice")
        seen.add(item.invoice.pk)
        total += amount
        fee_total += fee
    if total > payment.unallocated_amount:
        raise InvalidInput(
            _("The allocations (¥%(total)s) are more than the payment's unallocated ¥%(left)s.")
            % {"total": f"{total:,}", "left": f"{payment.unallocated_amount:,}"},
            field="allocations",
        )
    if fee_total > payment.bank_fee - payment.allocated_fee:
        raise InvalidInput(_("The bank fees allocated are more than the payment's bank fee."), field="allocations")
    return fee_total


def _allocate_explicit(payment: Payment, items: Sequence[AllocationInput], user) -> list[Allocation]:
    fee_total = _check_allocations(payment, items)
    invoices = {i.pk: i for i in lock_invoices(item.invoice.pk for item in items)}
    # Allocations that do not say where the payment's bank fee goes: the fee settles the
    # invoice that the money leaves open by that much (the bank-fee rule).
    fee_left = payment.bank_fee - payment.allocated_fee
    place_fee = fee_total == 0 and fee_left > 0
    rows = []
    for index, item in enumerate(items):
        invoice = invoices[item.invoice.pk]
        if invoice.status == Invoice.Status.CANCELLED:
            raise StateConflict(
                _("Invoice %(number)s is cancelled and cannot be paid.") % {"number": invoice.number},
                field=f"allocations[{index}].invoice",
            )
        fee = item.bank_fee
        if place_fee:
            fee = bank_fee_shortfall(open_amount=invoice.open_amount, paid=item.amount, fee_limit=fee_left) or ZERO
            fee_left -= fee
        if item.amount + fee > invoice.open_amount:
            raise InvalidInput(
                _("Invoice %(number)s has only ¥%(open)s open.")
                % {"number": invoice.number, "open": f"{invoice.open_amount:,}"},
                field=f"allocations[{index}].amount",
            )
        invoice.paid_amount += item.amount + fee
        rows.append(Allocation(invoice=invoice, payment=payment, amount=item.amount, bank_fee=fee))
    if place_fee and fee_left:
        # A fee left over would be booked against receivables (journal, ご入金額) while no
        # invoice shows it: the admin says where it goes instead.
        raise InvalidInput(
            _(
                "No allocated invoice is left open by the bank fee (¥%(fee)s): give the fee on the "
                "allocation it settles (bank_fee) or correct the amounts."
            )
            % {"fee": f"{fee_left:,}"},
            field="allocations",
        )
    _finish_payment_allocation(payment, rows, invoices, user)
    return rows


def _finish_payment_allocation(payment: Payment, rows: list[Allocation], invoices: dict[int, Invoice], user) -> None:
    payment.allocated_amount += sum((r.amount for r in rows), ZERO)
    payment.allocated_fee += sum((r.bank_fee for r in rows), ZERO)
    payment.save(update_fields=["allocated_amount", "allocated_fee"])
    write_allocations(rows, invoices, user)
    if rows:
        audit.record(
            actor=user,
            action="payment.allocate",
            obj=payment,
            changes={
                "allocations": [{"invoice": r.invoice.number, "amount": r.amount, "bank_fee": r.bank_fee} for r in rows]
            },
        )
