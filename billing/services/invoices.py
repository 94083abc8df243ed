"""Per-shipment invoices (請求書 as the goods leave, or issued by hand) and cancelling an
invoice issued by mistake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.models import CompanyProfile
from backoffice.money import ZERO
from backoffice.roles import Role, require_role
from backoffice.selectors import company_profile_with_bank_accounts
from backoffice.status import change_status
from orders.locking import lock_orders, lock_shipment, lock_shipments
from orders.models import Customer, Shipment, ShipmentLine
from orders.services import shipment_ship, shipments_mark_uninvoiced

from ..locking import lock_credit_notes, lock_invoices, lock_payments
from ..models import CreditNote, Invoice, InvoiceShipment, Payment
from .closing import closed_period_check
from .issuing import build_invoice, save_invoices
from .matching import customer_credit, settle_with_credit
from .validation import check_not_in_future


@transaction.atomic
def invoice_issue_for_shipment(*, shipment: Shipment, user, issue_date: dt.date | None = None) -> Invoice:
    """The 請求書 of one shipped shipment; due date from the invoice date and the customer's terms."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins issue invoices."))
    shipment = lock_shipment(shipment.pk)
    if shipment.status != Shipment.Status.SHIPPED:
        raise StateConflict(_("Only a shipped shipment can be invoiced."), field="shipment")
    if shipment.invoiced or InvoiceShipment.objects.filter(shipment=shipment).exists():
        raise StateConflict(_("This shipment has already been invoiced."), field="shipment", code="already_invoiced")
    issue_date = issue_date or shipment.shipped_on
    check_not_in_future(issue_date, "issue_date")
    if issue_date < shipment.shipped_on:
        raise InvalidInput(_("The invoice date cannot be before the shipping date."), field="issue_date")
    lines = list(shipment.lines.select_related("order_line").order_by("order_line__position"))
    return _issue_for_shipment(shipment, lines, user=user, issue_date=issue_date)


@transaction.atomic
def shipment_ship_and_bill(*, shipment: Shipment, user, shipped_on: dt.date | None = None) -> Shipment:
    """Ship a shipment and bill it, in one transaction: what the API's ship action and the
    admin's do. orders ships it (stock leaves, the 納品書 is issued); a date inside a
    closed billing period is refused (and the shipping with it); a per-shipment
    customer's 請求書 is issued as the goods leave, settled by the customer's credit."""
    profile = company_profile_with_bank_accounts()  # read once: the 納品書 and the 請求書 print it
    shipment = shipment_ship(shipment=shipment, user=user, shipped_on=shipped_on, profile=profile)
    closed_period_check(shipment.customer, shipment.shipped_on)
    if shipment.customer.invoice_mode == Customer.InvoiceMode.PER_SHIPMENT:
        require_role(user, Role.SALES_ADMIN, message=_("Only sales admins issue invoices."))
        lines = sorted(shipment.shipped_lines, key=lambda line: line.order_line.position)
        _issue_for_shipment(shipment, lines, user=user, issue_date=shipment.shipped_on, profile=profile)
    return shipment


def _issue_for_shipment(
    shipment: Shipment,
    lines: Sequence[ShipmentLine],
    *,
    user,
    issue_date: dt.date,
    profile: CompanyProfile | None = None,
) -> Invoice:
    """Shipment locked, shipped and not invoiced; `lines` its lines with their order lines.
    The customer's credit is locked before the document is issued, so that the invoice
    prints exactly the credit that settles it (an issued PDF never changes)."""
    profile = company_profile_with_bank_accounts(profile)  # read once and passed down
    credit = customer_credit([shipment.customer_id])
    invoice, invoice_lines = build_invoice(
        customer=shipment.customer,
        kind=Invoice.Kind.PER_SHIPMENT,
        shipments=[shipment],
        issue_date=issue_date,
        profile=profile,
        user=user,
        source=shipment,
        lines_of={shipment.pk: lines},
        credit_available=sum((source.unallocated_amount for source in credit.get(shipment.customer_id, ())), ZERO),
    )
    (invoice,) = save_invoices([(invoice, invoice_lines, [shipment])], user=user, profile=profile)
    settle_with_credit([invoice], credit, user)
    return invoice


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, user, reason: str) -> Invoice:
    """Void an invoice issued by mistake: nothing may have settled it, nor a credit note or a
    later consolidated invoice refer to it. Its shipments can be invoiced again; the
    issued document stays in the archive (it is never deleted)."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins cancel invoices."))
    if not reason or not reason.strip():
        raise InvalidInput(_("Say why the invoice is cancelled."), field="reason")
    # The rows the cancel changes, locked in the one order (ARCHITECTURE.md): its orders,
    # its shipments, the payments and credit notes it reported, then the invoice itself.
    # They are found before the invoice is locked; an invoice's links and reports are
    # written when it is issued and removed only by this cancel, under that lock.
    shipment_ids = list(InvoiceShipment.objects.filter(invoice=invoice.pk).values_list("shipment_id", flat=True))
    lock_orders(Shipment.objects.filter(pk__in=shipment_ids).values_list("order_id", flat=True))
    lock_shipments(shipment_ids)
    lock_payments(Payment.objects.filter(reported_on=invoice.pk).values_list("pk", flat=True))
    lock_credit_notes(CreditNote.objects.filter(reported_on=invoice.pk).values_list("pk", flat=True))
    (invoice,) = lock_invoices([invoice.pk])
    if invoice.status == Invoice.Status.CANCELLED:
        raise StateConflict(_("This invoice is already cancelled."))
    if invoice.allocations.exists() or invoice.credit_notes.exists():
        raise StateConflict(_("Payments or credit notes settle this invoice: it cannot be cancelled."))
    later = Invoice.objects.filter(customer=invoice.customer_id, kind=Invoice.Kind.CONSOLIDATED, pk__gt=invoice.pk)
    if later.exclude(status=Invoice.Status.CANCELLED).exists():
        raise StateConflict(_("A later invoice carries this one's balance: it cannot be cancelled."))
    invoice.shipment_links.all().delete()
    shipments_mark_uninvoiced(shipment_ids=shipment_ids, user=user)
    Payment.objects.filter(reported_on=invoice).update(reported_on=None)
    CreditNote.objects.filter(reported_on=invoice).update(reported_on=None)
    change_status(invoice, Invoice.Status.CANCELLED, user=user, comment=reason.strip()[:200])
    return invoice
