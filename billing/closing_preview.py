"""The closing preview (締め処理の事前確認): for a closing date, every customer who closes that
day and exactly what the closing run would invoice them, written nowhere.

It reads the run's own inputs (`closing_inputs`) and builds each invoice with the run's own
code (`invoice_draft`, which `build_invoice` issues), so the figures shown are the figures
the run then issues. A fixed number of queries for any number of customers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch

from backoffice.money import ZERO
from backoffice.selectors import company_profile_with_bank_accounts
from documents.models import DocumentMailing
from orders.models import ContactPerson, Customer, Shipment, ShipmentLine

from .models import BillingSettings, ClosingRun, Invoice
from .services.closing import closing_days_for, closing_inputs
from .services.issuing import invoice_figures
from .services.mailing import Recipients, invoice_recipients


@dataclass(frozen=True)
class PreviewRate:
    rate: int
    subtotal: Decimal
    tax: Decimal


@dataclass(frozen=True)
class PreviewRow:
    """One customer's invoice as the run would issue it (`invoice` is None when the date's
    invoice already exists: then `existing` is that invoice)."""

    customer: Customer
    period_start: dt.date | None
    period_end: dt.date
    previous_balance: Decimal
    payments: Decimal
    credits: Decimal
    carried_over: Decimal
    sales_amount: Decimal
    tax_total: Decimal
    total: Decimal
    due_date: dt.date | None
    rates: list[PreviewRate]
    shipment_count: int
    existing: Invoice | None = None

    @property
    def to_invoice(self) -> bool:
        return self.existing is None


@dataclass(frozen=True)
class ClosingPreview:
    closing_date: dt.date
    closing_days: list[int]
    rows: list[PreviewRow] = field(default_factory=list)  # to invoice, then already invoiced
    nothing_to_bill: list[Customer] = field(default_factory=list)  # close that day, nothing to invoice
    run: ClosingRun | None = None  # the date's run, when it has been run before

    @property
    def to_invoice(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.to_invoice]

    @property
    def already_invoiced(self) -> list[PreviewRow]:
        return [row for row in self.rows if not row.to_invoice]

    def total(self, name: str) -> Decimal:
        return sum((getattr(row, name) for row in self.to_invoice), ZERO)

    @property
    def totals(self) -> dict[str, Decimal]:
        names = ("previous_balance", "payments", "credits", "carried_over", "sales_amount", "tax_total", "total")
        return {name: self.total(name) for name in names}

    @property
    def customer_count(self) -> int:
        return len(self.rows) + len(self.nothing_to_bill)


def closing_customer_ids(closing_date: dt.date) -> list[int]:
    """The consolidated customers whose closing day falls on this date (the run's own choice)."""
    return list(
        Customer.objects.filter(
            invoice_mode=Customer.InvoiceMode.CONSOLIDATED, closing_day__in=closing_days_for(closing_date)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def closing_preview(*, closing_date: dt.date, user=None) -> ClosingPreview:
    """What `closing_run(closing_date=...)` would invoice, per customer, without writing:
    the run's own inputs (`closing_inputs`: who, balance, payments, credit notes, period)
    and its own money (`invoice_figures`: tax once per rate, due date), the shipment lines
    read as (rate, amount) pairs rather than built as invoice lines."""
    customer_ids = closing_customer_ids(closing_date)
    run = ClosingRun.objects.filter(closing_date=closing_date).first()
    preview = ClosingPreview(closing_date=closing_date, closing_days=closing_days_for(closing_date), run=run)
    if not customer_ids:
        return preview
    existing = {
        invoice.customer_id: invoice
        for invoice in Invoice.objects.filter(
            kind=Invoice.Kind.CONSOLIDATED, period_end=closing_date, customer_id__in=customer_ids
        )
        .exclude(status=Invoice.Status.CANCELLED)
        .select_related("customer")
    }
    todo = [pk for pk in customer_ids if pk not in existing]
    # The run reads these once per run; reading never creates the settings row.
    options = BillingSettings.objects.order_by("pk").first() or BillingSettings()
    profile = company_profile_with_bank_accounts()
    shipments = _uninvoiced_shipments(todo, closing_date)
    billed = set()
    for item in closing_inputs(
        closing_date=closing_date, customer_ids=todo, options=options, shipments_by_customer=shipments
    ):
        customer = item.customer
        rated = [pair for shipment in item.shipments for pair in shipment.rated]
        totals, due = invoice_figures(rated=rated, customer=customer, issue_date=closing_date, profile=profile)
        billed.add(customer.pk)
        balance = item.balance
        preview.rows.append(
            PreviewRow(
                customer=customer,
                period_start=item.period[0],
                period_end=item.period[1],
                previous_balance=balance.previous,
                payments=balance.payments,
                credits=balance.credits,
                carried_over=balance.carried_over,
                sales_amount=totals.subtotal,
                tax_total=totals.tax_total,
                total=balance.carried_over + totals.total,  # as invoice_draft states it
                due_date=due,
                rates=[PreviewRate(rate=b.rate, subtotal=b.subtotal, tax=b.tax) for b in totals.breakdown if rated],
                shipment_count=len(item.shipments),
            )
        )
    for customer_id in customer_ids:
        if customer_id in existing:
            invoice = existing[customer_id]
            preview.rows.append(_row(invoice, invoice.customer, shipment_count=None, existing=invoice))
    if len(billed) < len(todo):
        preview.nothing_to_bill.extend(
            Customer.objects.filter(pk__in=[pk for pk in todo if pk not in billed]).order_by("code", "pk")
        )
    return preview


@dataclass(frozen=True)
class _ShipmentSums:
    shipped_on: dt.date
    rated: list[tuple[int, Decimal]]  # (tax rate, amount) per line


def _uninvoiced_shipments(customer_ids: list[int], closing_date: dt.date) -> dict[int, list[_ShipmentSums]]:
    """The lines the run would invoice, by customer and shipment, oldest shipment first: the
    filter of orders.selectors.uninvoiced_shipments (which the run reads), as one query of
    plain values (building 10 model instances per shipment line is what would make a
    1,000-customer preview slow)."""
    rows = (
        ShipmentLine.objects.filter(
            shipment__customer_id__in=customer_ids,
            shipment__status=Shipment.Status.SHIPPED,
            shipment__invoiced=False,
            shipment__shipped_on__lte=closing_date,
        )
        .order_by("shipment__customer_id", "shipment__shipped_on", "shipment_id")
        .values_list("shipment__customer_id", "shipment_id", "shipment__shipped_on", "order_line__tax_rate", "amount")
    )
    by_customer: dict[int, list[_ShipmentSums]] = defaultdict(list)
    current = None
    for customer_id, shipment_id, shipped_on, rate, amount in rows.iterator(chunk_size=5000):
        if current != shipment_id:
            current = shipment_id
            by_customer[customer_id].append(_ShipmentSums(shipped_on=shipped_on, rated=[]))
        by_customer[customer_id][-1].rated.append((rate, amount))
    return by_customer


def _row(invoice: Invoice, customer: Customer, *, shipment_count, existing: Invoice | None = None) -> PreviewRow:
    return PreviewRow(
        customer=customer,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        previous_balance=invoice.previous_balance,
        payments=invoice.payments_received,
        credits=invoice.credits,
        carried_over=invoice.carried_over,
        sales_amount=invoice.sales_amount,
        tax_total=invoice.tax_total,
        total=invoice.total,
        due_date=invoice.due_date,
        rates=[
            PreviewRate(rate=int(b["rate"]), subtotal=Decimal(b["subtotal"]), tax=Decimal(b["tax"]))
            for b in invoice.tax_breakdown
        ],
        shipment_count=shipment_count or 0,
        existing=existing,
    )


# --- the closing run's page -------------------------------------------------------------


@dataclass(frozen=True)
class RunInvoice:
    invoice: Invoice
    mailings: list  # the send log of its document, oldest first
    new: bool  # made by the latest run of the date (not by an earlier one)
    recipients: Recipients  # where the send step would mail it (none: reported, not sent)

    @property
    def last_mailing(self):
        return self.mailings[-1] if self.mailings else None


def closing_run_invoices(run: ClosingRun) -> list[RunInvoice]:
    """The run's invoices by customer code, each with its send log and recipients: four queries."""
    invoices = list(
        Invoice.objects.filter(closing_run=run)
        .select_related("customer")
        .prefetch_related(Prefetch("customer__contacts", queryset=ContactPerson.objects.order_by("pk")))
        .order_by("customer__code", "pk")
    )
    log: dict[int, list] = {}
    for mailing in (
        _mailings()
        .filter(document_id__in=[i.document_id for i in invoices])
        .select_related("requested_by")
        .order_by("requested_at", "pk")
    ):
        log.setdefault(mailing.document_id, []).append(mailing)
    started = run.started_at
    return [
        RunInvoice(
            invoice=invoice,
            mailings=log.get(invoice.document_id, []),
            new=started is None or invoice.created_at >= started,
            recipients=invoice_recipients(invoice.customer),
        )
        for invoice in invoices
    ]


def document_mailings(document_id: int) -> list:
    """One document's send log, oldest first, with who asked (one query)."""
    return list(
        _mailings().filter(document_id=document_id).select_related("requested_by").order_by("requested_at", "pk")
    )


def _mailings():
    """The send log, each attempt knowing whether it has been re-sent (`resent`)."""
    return DocumentMailing.objects.annotate(resent=Exists(DocumentMailing.objects.filter(resend_of=OuterRef("pk"))))
