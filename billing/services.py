"""Every write of billing: invoices (per shipment and by the closing run), payments and
their matching (消込), credit notes. Keyword-only service functions that validate,
write inside transaction.atomic, record audit events and raise domain errors.

Public interface::

    invoice_issue_for_shipment(*, shipment, user, issue_date=None) -> Invoice
    invoice_cancel(*, invoice, user, reason) -> Invoice
    closing_run(*, closing_date, user, batch_size=500, progress=None) -> ClosingRun
    payment_record(*, customer, received_on, amount, user, bank_fee=0, method="transfer",
                   payer_name="", note="", allocations=None) -> Payment
    payment_allocate(*, payment, user, allocations=None) -> Payment
    credit_note_issue(*, invoice, kind, lines, reason, user, issue_date=None, warehouse=None) -> CreditNote
    billing_settings_update(*, user, data) -> BillingSettings

How the balance works: an invoice is settled on its own sales (sales_total) by
allocations of payments (amount + the bank fee they carry) and of credit notes. Money
or credit not matched to any invoice is customer credit, used by the next invoice.
A consolidated invoice prints the running balance: previous 今回御請求額, the payments
and credit notes recorded since (each reported once), the carried-over rest, and this
period's sales and tax.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, OuterRef, Subquery, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.businessdays import add_months, day_of_month, due_date, is_closing_date
from backoffice.db import compiled_rows
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.money import ZERO, compute_totals, net_amounts, quantize_yen
from backoffice.roles import Role, require_role
from backoffice.selectors import company_profile
from backoffice.unitofwork import unit_of_work
from documents.services import document_issue
from documents.types import DocumentData, DocumentKind, DocumentLine
from orders.models import CLOSING_DAYS, Customer, Shipment, ShipmentLine
from orders.selectors import uninvoiced_shipments
from orders.services import (
    customer_party,
    shipment_lines_restate_net,
    shipments_mark_invoiced,
    shipments_mark_uninvoiced,
)

from .locking import lock_credit_notes, lock_invoices, lock_payments
from .models import (
    Allocation,
    BillingSettings,
    ClosingRun,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    InvoiceShipment,
    Payment,
    PaymentMethod,
)
from .selectors import CREDIT_SOURCES, OPEN_STATUSES, unmatched

MAX_DOCUMENT_LINES = settings.LIMITS["max_lines_per_document"]


def _check_amount(value, field: str, *, allow_zero: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int) or not Decimal(value).is_finite():
        raise InvalidInput(_("Enter an amount in yen."), field=field)
    value = Decimal(value)
    if value != value.to_integral_value():
        raise InvalidInput(_("Amounts are whole yen."), field=field)
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidInput(
            _("The amount must be zero or more.") if allow_zero else _("The amount must be more than zero."),
            field=field,
        )
    if value > settings.LIMITS["max_amount"]:
        raise InvalidInput(_("The amount is too large."), field=field)
    return value


def _not_in_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise InvalidInput(_("The date cannot be in the future."), field=field)


# --- settings -------------------------------------------------------------------------------------


def billing_settings() -> BillingSettings:
    current = BillingSettings.objects.order_by("pk").first()
    return current if current is not None else BillingSettings.objects.create()


@unit_of_work()
def billing_settings_update(*, user, data: dict[str, Any]) -> BillingSettings:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins change billing settings."))
    current = billing_settings()
    before = audit.snapshot(current)
    for name in ("statement_without_sales", "bank_fee_tolerance"):
        if name in data:
            setattr(current, name, data[name])
    current.full_clean()
    current.save()
    audit.record(
        actor=user, action="billing_settings.update", obj=current, changes=audit.diff(before, audit.snapshot(current))
    )
    return current


# --- building an invoice --------------------------------------------------------------------------


def _invoice_lines(
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


def _document_lines(lines: Sequence[InvoiceLine]) -> list[DocumentLine]:
    """The items as printed. A document holds at most MAX_DOCUMENT_LINES lines: beyond that
    a period is summarised per delivery note and rate (the delivery notes carry the items),
    and beyond that per rate."""
    if not lines:
        # A statement invoice (no sales, a balance): one empty line keeps the layout.
        return [
            DocumentLine(
                sku="", name="今回お取引はございません", quantity=0, unit="", unit_price=ZERO, amount=ZERO, tax_rate=10
            )
        ]
    if len(lines) <= MAX_DOCUMENT_LINES:
        return [
            DocumentLine(
                sku=line.sku,
                name=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                amount=line.amount,
                tax_rate=line.tax_rate,
                note=line.delivery_note_number,
                delivery_date=line.shipped_on,
            )
            for line in lines
        ]
    sums: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        sums[(line.shipped_on, line.delivery_note_number, line.tax_rate)] += line.amount
    if len(sums) > MAX_DOCUMENT_LINES:
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
class _Balance:
    previous: Decimal = ZERO
    payments: Decimal = ZERO
    credits: Decimal = ZERO

    @property
    def carried_over(self) -> Decimal:
        return self.previous - self.payments - self.credits


def _build_invoice(
    *,
    customer: Customer,
    kind: str,
    shipments: Sequence[Shipment],
    issue_date: dt.date,
    due_base: dt.date,
    profile,
    user,
    source,
    period: tuple[dt.date, dt.date] | None = None,
    balance: _Balance = _Balance(),
    reported_credit_notes: Sequence[CreditNote] = (),
    closing_run: ClosingRun | None = None,
    lines_of: dict[int, Sequence[ShipmentLine]] | None = None,
    credit_available: Decimal = ZERO,
) -> tuple[Invoice, list[InvoiceLine]]:
    """Issue the document and return the unsaved invoice with its unsaved lines.
    `credit_available` is the customer credit (locked) that will settle a per-shipment
    invoice right after it is saved: the document prints it as applied."""
    lines = _invoice_lines(shipments, lines_of)
    document_lines = _document_lines(lines)
    # The printed lines carry the same sums per rate as the invoice lines (summaries included).
    totals = compute_totals(
        [(line.tax_rate, line.amount) for line in document_lines],
        mode=profile.rounding_mode,
        tax_mode=customer.tax_mode,
    )
    due = due_date(
        due_base,
        payment_month_offset=customer.payment_month_offset,
        payment_day=customer.payment_day,
        rule=profile.holiday_rule,
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
        lines=document_lines,
        totals=totals,
        tax_mode=customer.tax_mode,
        extra=extra,
    )
    document = document_issue(data=data, user=user, source=source)
    invoice = Invoice(
        number=document.number,
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
        status=Invoice.Status.PAID if totals.total == 0 else Invoice.Status.ISSUED,
        document=document,
        closing_run=closing_run,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    return invoice, lines


def _save_invoices(built: Sequence[tuple[Invoice, list[InvoiceLine], list[Shipment]]], user) -> list[Invoice]:
    """Insert invoices, lines and shipment links in bulk, flag the shipments invoiced."""
    invoices = Invoice.objects.bulk_create([invoice for invoice, _lines, _shipments in built])
    lines, links, invoiced = [], [], []
    for invoice, invoice_lines, shipments in built:
        for line in invoice_lines:
            line.invoice = invoice
            lines.append(line)
        for shipment in shipments:
            links.append(InvoiceShipment(invoice=invoice, shipment=shipment))
            invoiced.append(shipment)
    InvoiceLine.objects.bulk_create(lines, batch_size=2000)
    _restate_net_amounts(built)
    try:
        with unit_of_work():
            InvoiceShipment.objects.bulk_create(links, batch_size=2000)
    except IntegrityError as error:
        raise StateConflict(_("A shipment has already been invoiced."), code="already_invoiced") from error
    shipments_mark_invoiced(shipments=invoiced, user=user)
    audit.record_many(
        actor=user,
        action="invoice.issue",
        items=[
            (
                invoice,
                {
                    "number": invoice.number,
                    "kind": invoice.kind,
                    "customer": invoice.customer_id,
                    "total": invoice.total,
                    "due_date": invoice.due_date,
                    "shipments": [s.number for s in shipments],
                },
            )
            for invoice, _lines, shipments in built
        ],
    )
    return invoices


def _restate_net_amounts(built: Sequence[tuple[Invoice, list[InvoiceLine], list[Shipment]]]) -> None:
    """The invoice states its shipment lines' amounts excluding tax: for a tax-inclusive
    customer the tax extracted once per rate over the invoice, shared among its lines, so
    sales reports add up to the invoice (and the journal). A per-shipment invoice states
    what the delivery note did, so only consolidated ones usually write anything."""
    mode = company_profile().rounding_mode
    restated = []
    for invoice, invoice_lines, _shipments in built:
        rated = [(line.tax_rate, line.amount) for line in invoice_lines]
        for line, net in zip(invoice_lines, net_amounts(rated, mode=mode, tax_mode=invoice.tax_mode), strict=True):
            if line.shipment_line.net_amount != net:
                line.shipment_line.net_amount = net
                restated.append(line.shipment_line)
    if restated:
        shipment_lines_restate_net(lines=restated)


# --- per-shipment invoices --------------------------------------------------------------------------


@unit_of_work()
def invoice_issue_for_shipment(*, shipment: Shipment, user, issue_date: dt.date | None = None) -> Invoice:
    """The 請求書 of one shipped shipment; due date from the invoice date and the customer's terms."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins issue invoices."))
    shipment = Shipment.objects.select_for_update().select_related("customer").get(pk=shipment.pk)
    if shipment.status != Shipment.Status.SHIPPED:
        raise StateConflict(_("Only a shipped shipment can be invoiced."), field="shipment")
    if shipment.invoiced or InvoiceShipment.objects.filter(shipment=shipment).exists():
        raise StateConflict(_("This shipment has already been invoiced."), field="shipment", code="already_invoiced")
    issue_date = issue_date or shipment.shipped_on
    _not_in_future(issue_date, "issue_date")
    if issue_date < shipment.shipped_on:
        raise InvalidInput(_("The invoice date cannot be before the shipping date."), field="issue_date")
    lines = list(shipment.lines.select_related("order_line").order_by("order_line__position"))
    return _issue_for_shipment(shipment, lines, user=user, issue_date=issue_date)


def _issue_for_shipment(shipment: Shipment, lines: Sequence[ShipmentLine], *, user, issue_date: dt.date) -> Invoice:
    """Shipment locked, shipped and not invoiced; `lines` its lines with their order lines.
    The customer's credit is locked before the document is issued, so that the invoice
    prints exactly the credit that settles it (an issued PDF never changes)."""
    credit = _customer_credit({shipment.customer_id})
    invoice, invoice_lines = _build_invoice(
        customer=shipment.customer,
        kind=Invoice.Kind.PER_SHIPMENT,
        shipments=[shipment],
        issue_date=issue_date,
        due_base=issue_date,
        profile=company_profile(),
        user=user,
        source=shipment,
        lines_of={shipment.pk: lines},
        credit_available=sum((source.unallocated_amount for source in credit.get(shipment.customer_id, ())), ZERO),
    )
    (invoice,) = _save_invoices([(invoice, invoice_lines, [shipment])], user)
    _settle_with_credit([invoice], credit, user)
    return invoice


@unit_of_work()
def issue_invoice_after_ship(*, shipment: Shipment, lines: Sequence[ShipmentLine], user) -> None:
    """orders' after-ship hook, in the shipping transaction: per-shipment customers get
    their invoice as the goods leave. The shipment has just shipped under lock (so it is
    not invoiced yet); `lines` are its lines with their order lines, as shipment_ship
    loaded them."""
    if shipment.customer.invoice_mode == Customer.InvoiceMode.PER_SHIPMENT:
        require_role(user, Role.SALES_ADMIN, message=_("Only sales admins issue invoices."))
        lines = sorted(lines, key=lambda line: line.order_line.position)
        _issue_for_shipment(shipment, lines, user=user, issue_date=shipment.shipped_on)


@unit_of_work()
def invoice_cancel(*, invoice: Invoice, user, reason: str) -> Invoice:
    """Void an invoice issued by mistake: nothing may have settled it, nor a credit note or a
    later consolidated invoice refer to it. Its shipments can be invoiced again; the
    issued document stays in the archive (it is never deleted)."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins cancel invoices."))
    if not reason or not reason.strip():
        raise InvalidInput(_("Say why the invoice is cancelled."), field="reason")
    (invoice,) = lock_invoices([invoice.pk])
    if invoice.status == Invoice.Status.CANCELLED:
        raise StateConflict(_("This invoice is already cancelled."))
    if invoice.allocations.exists() or invoice.credit_notes.exists():
        raise StateConflict(_("Payments or credit notes settle this invoice: it cannot be cancelled."))
    later = Invoice.objects.filter(customer=invoice.customer_id, kind=Invoice.Kind.CONSOLIDATED, pk__gt=invoice.pk)
    if later.exclude(status=Invoice.Status.CANCELLED).exists():
        raise StateConflict(_("A later invoice carries this one's balance: it cannot be cancelled."))
    shipment_ids = list(invoice.shipment_links.values_list("shipment_id", flat=True))
    invoice.shipment_links.all().delete()
    shipments_mark_uninvoiced(shipment_ids=shipment_ids, user=user)
    Payment.objects.filter(reported_on=invoice).update(reported_on=None)
    CreditNote.objects.filter(reported_on=invoice).update(reported_on=None)
    invoice.status = Invoice.Status.CANCELLED
    invoice.save(update_fields=["status"])
    audit.record(
        actor=user,
        action="invoice.cancel",
        obj=invoice,
        changes={"status": {"before": "issued", "after": "cancelled"}, "reason": reason.strip()[:200]},
    )
    return invoice


# --- the closing run (締め処理) -------------------------------------------------------------------


def closing_days_for(closing_date: dt.date) -> list[int]:
    """The closing days that close on this date: 31 is month end, also in a short month."""
    return [day for day in CLOSING_DAYS if is_closing_date(closing_date, day)]


def previous_closing_date(closing_date: dt.date, closing_day: int) -> dt.date:
    year, month = add_months(closing_date.year, closing_date.month, -1)
    return day_of_month(year, month, closing_day)


def closing_run(
    *,
    closing_date: dt.date,
    user,
    batch_size: int = 500,
    progress: Callable[[ClosingRun], None] | None = None,
) -> ClosingRun:
    """Invoice every consolidated customer who closes on `closing_date` with their
    uninvoiced shipments up to that date. Runs in batches of customers, one transaction
    each, so PDFs render after each batch commits and progress is visible on the run row.
    Running it again creates nothing new (one consolidated invoice per customer and date)."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins run the closing."))
    if not isinstance(closing_date, dt.date) or isinstance(closing_date, dt.datetime):
        raise InvalidInput(_("Enter the closing date as a date."), field="closing_date")
    _not_in_future(closing_date, "closing_date")
    days = closing_days_for(closing_date)
    customer_ids = list(
        Customer.objects.filter(invoice_mode=Customer.InvoiceMode.CONSOLIDATED, closing_day__in=days)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        run, _created = ClosingRun.objects.get_or_create(
            closing_date=closing_date, defaults={"created_by": user if user.is_authenticated else None}
        )
        run = ClosingRun.objects.select_for_update().get(pk=run.pk)
        run.status = ClosingRun.Status.RUNNING
        run.customers_total = len(customer_ids)
        run.customers_done = 0
        run.started_at = timezone.now()
        run.finished_at = None
        run.error = ""
        run.save(update_fields=["status", "customers_total", "customers_done", "started_at", "finished_at", "error"])
        audit.record(actor=user, action="closing.start", obj=run, changes={"customers": len(customer_ids)})
    profile = company_profile()
    options = billing_settings()
    try:
        for start in range(0, len(customer_ids), batch_size):
            batch = customer_ids[start : start + batch_size]
            created = _close_batch(run=run, customer_ids=batch, user=user, profile=profile, options=options)
            ClosingRun.objects.filter(pk=run.pk).update(
                customers_done=F("customers_done") + len(batch), invoices_created=F("invoices_created") + created
            )
            if progress is not None:
                run.refresh_from_db()
                progress(run)
    except Exception as error:
        ClosingRun.objects.filter(pk=run.pk).update(status=ClosingRun.Status.FAILED, error=str(error)[:2000])
        raise
    ClosingRun.objects.filter(pk=run.pk).update(status=ClosingRun.Status.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    audit.record(actor=user, action="closing.done", obj=run, changes={"invoices_created": run.invoices_created})
    return run


@unit_of_work()
def closing_schedule(*, closing_date: dt.date, user) -> ClosingRun:
    """Run the closing in the background (a Celery task after commit); the run row shows progress."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins run the closing."))
    _not_in_future(closing_date, "closing_date")
    run, _created = ClosingRun.objects.get_or_create(
        closing_date=closing_date, defaults={"created_by": user, "status": ClosingRun.Status.RUNNING}
    )
    audit.record(actor=user, action="closing.schedule", obj=run, changes={"closing_date": closing_date})
    user_id = user.pk
    transaction.on_commit(lambda: _schedule_closing(closing_date, user_id))
    return run


def _schedule_closing(closing_date: dt.date, user_id: int) -> None:
    from .tasks import run_closing

    run_closing.delay(closing_date.isoformat(), user_id)


@unit_of_work()
def _close_batch(*, run: ClosingRun, customer_ids: list[int], user, profile, options: BillingSettings) -> int:
    """One batch of customers in one transaction; a fixed number of queries plus the
    document issue per invoice, whatever the number of shipments."""
    closing_date = run.closing_date
    # Two runs of the same date take turns batch by batch; each sees what the other made.
    ClosingRun.objects.select_for_update().filter(pk=run.pk).values_list("pk").get()
    done = set(
        Invoice.objects.filter(kind=Invoice.Kind.CONSOLIDATED, period_end=closing_date, customer_id__in=customer_ids)
        .exclude(status=Invoice.Status.CANCELLED)
        .values_list("customer_id", flat=True)
    )
    todo = [pk for pk in customer_ids if pk not in done]
    if not todo:
        return 0
    previous = (
        Invoice.objects.filter(customer=OuterRef("pk"), kind=Invoice.Kind.CONSOLIDATED)
        .exclude(status=Invoice.Status.CANCELLED)
        .order_by("-period_end", "-pk")
    )
    customers = list(
        Customer.objects.filter(pk__in=todo)
        .annotate(previous_total=Subquery(previous.values("total")[:1]))
        .order_by("pk")
    )
    shipments_by_customer: dict[int, list[Shipment]] = defaultdict(list)
    for shipment in uninvoiced_shipments(customer_ids=todo, up_to=closing_date):
        shipments_by_customer[shipment.customer_id].append(shipment)
    payments = {
        row["customer_id"]: row["total"]
        for row in Payment.objects.filter(customer_id__in=todo, reported_on__isnull=True, received_on__lte=closing_date)
        .values("customer_id")
        .annotate(total=Sum(F("amount") + F("bank_fee")))
    }
    credit_notes: dict[int, list[CreditNote]] = defaultdict(list)
    for note in CreditNote.objects.filter(customer_id__in=todo, reported_on__isnull=True, issue_date__lte=closing_date):
        credit_notes[note.customer_id].append(note)

    built = []
    for customer in customers:
        shipments = shipments_by_customer.get(customer.pk, [])
        notes = credit_notes.get(customer.pk, [])
        balance = _Balance(
            previous=customer.previous_total or ZERO,
            payments=payments.get(customer.pk, ZERO),
            credits=sum((n.total for n in notes), ZERO),
        )
        if not shipments and not (options.statement_without_sales and balance.carried_over != 0):
            continue
        start = previous_closing_date(closing_date, customer.closing_day) + dt.timedelta(days=1)
        if shipments:
            start = min(start, shipments[0].shipped_on)
        invoice, lines = _build_invoice(
            customer=customer,
            kind=Invoice.Kind.CONSOLIDATED,
            shipments=shipments,
            issue_date=closing_date,
            due_base=closing_date,
            profile=profile,
            user=user,
            source=run,
            period=(start, closing_date),
            balance=balance,
            reported_credit_notes=notes,
            closing_run=run,
        )
        built.append((invoice, lines, shipments))
    if not built:
        return 0
    invoices = _save_invoices(built, user)
    by_customer = {invoice.customer_id: invoice.pk for invoice in invoices}
    reported = Case(*(When(customer_id=c, then=Value(i)) for c, i in by_customer.items()))
    Payment.objects.filter(
        customer_id__in=list(by_customer), reported_on__isnull=True, received_on__lte=closing_date
    ).update(reported_on=reported)
    CreditNote.objects.filter(
        customer_id__in=list(by_customer), reported_on__isnull=True, issue_date__lte=closing_date
    ).update(reported_on=reported)
    _apply_customer_credit(invoices, user)
    return len(invoices)


def _closings_after(customer: int, day: dt.date):
    """In one query: the closing runs on or after the day, and the customer's consolidated
    invoices whose period ends on or after it (any of those closes the day)."""
    runs = (
        ClosingRun.objects.filter(closing_date__gte=day, status__in=[ClosingRun.Status.RUNNING, ClosingRun.Status.DONE])
        .values_list("closing_date", Value(False))
        .order_by()
    )
    invoiced = (
        Invoice.objects.filter(customer=customer, kind=Invoice.Kind.CONSOLIDATED, period_end__gte=day)
        .exclude(status=Invoice.Status.CANCELLED)
        .values_list("period_end", Value(True))
        .order_by()
    )
    return runs.union(invoiced, all=True)


def closed_period_check(customer: Customer, day: dt.date) -> None:
    """orders' closed-period check: a date on or before a closing that covered this customer
    is locked (no shipping into it, no back-dating)."""
    closed = any(
        is_invoice or is_closing_date(closing, customer.closing_day)
        for closing, is_invoice in compiled_rows(_closings_after, customer=customer.pk, day=day)
    )
    if closed:
        raise InvalidInput(
            _("%(date)s is in a closed billing period: choose a date after the last closing.")
            % {"date": day.isoformat()},
            field="shipped_on",
        )


# --- matching (消込) -----------------------------------------------------------------------------


def _refresh_status(invoice: Invoice) -> None:
    if invoice.status == Invoice.Status.CANCELLED:
        return
    settled = invoice.paid_amount + invoice.credited_amount
    if settled >= invoice.sales_total:
        invoice.status = Invoice.Status.PAID
    elif settled > 0:
        invoice.status = Invoice.Status.PARTIALLY_PAID
    else:
        invoice.status = Invoice.Status.ISSUED


def _write_allocations(allocations: list[Allocation], invoices: dict[int, Invoice], user) -> None:
    """Insert allocations and write the settled amounts and status of the (locked) invoices."""
    if not allocations:
        return
    Allocation.objects.bulk_create(allocations)
    touched = {a.invoice_id for a in allocations}
    for pk in sorted(touched):
        invoice = invoices[pk]
        before = invoice.status
        _refresh_status(invoice)
        invoice.save(update_fields=["paid_amount", "credited_amount", "status"])
        if invoice.status != before:
            audit.record(
                actor=user,
                action=f"invoice.{invoice.status}",
                obj=invoice,
                changes={"status": {"before": before, "after": invoice.status}},
            )


def _unmatched_credit(**filters):
    """(pk, model name) of the payments and credit notes with credit left, for these filters."""
    first, *rest = (
        unmatched(model, total)
        .filter(**filters)
        .values_list("pk", Value(model._meta.model_name, output_field=CharField()))
        for model, total in CREDIT_SOURCES
    )
    return first.union(*rest, all=True)


def _credit_query(customer: int):
    return _unmatched_credit(customer_id=customer)


def _apply_customer_credit(invoices: Sequence[Invoice], user) -> None:
    """Unmatched payments and credit notes of these invoices' customers settle them, oldest credit first."""
    _settle_with_credit(invoices, _customer_credit({i.customer_id for i in invoices if i.open_amount > 0}), user)


def _customer_credit(customer_ids: set[int]) -> dict[int, list]:
    """The customers' unmatched payments and credit notes, locked, oldest first, by customer."""
    if not customer_ids:
        return {}
    # One query finds both kinds of credit (usually there is none), then each is locked.
    if len(customer_ids) == 1:  # a per-shipment invoice: compiled once
        (customer_id,) = customer_ids
        found = compiled_rows(_credit_query, customer=customer_id)
    else:
        found = list(_unmatched_credit(customer_id__in=customer_ids))
    if not found:
        return {}
    payments = lock_payments(pk for pk, kind in found if kind == Payment._meta.model_name)
    notes = lock_credit_notes(pk for pk, kind in found if kind == CreditNote._meta.model_name)
    sources: dict[int, list] = defaultdict(list)
    for source in sorted(
        [*payments, *notes], key=lambda s: (getattr(s, "received_on", None) or s.issue_date, s.created_at)
    ):
        sources[source.customer_id].append(source)
    return sources


def _settle_with_credit(invoices: Sequence[Invoice], sources: dict[int, list], user) -> None:
    """Allocate the locked credit `sources` (from _customer_credit) to the saved invoices."""
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
    for customer_sources in sources.values():
        for source in customer_sources:
            source.save(update_fields=["allocated_amount"])
    _write_allocations(allocations, {i.pk: i for i in invoices}, user)


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


@dataclass(frozen=True)
class AllocationInput:
    invoice: Invoice
    amount: Decimal
    bank_fee: Decimal = ZERO


def _allocate(payment: Payment, allocations: Sequence[AllocationInput] | None, user) -> list[Allocation]:
    """Match a locked payment: the given allocations, or oldest open invoice first."""
    if allocations is not None:
        return _allocate_explicit(payment, allocations, user)
    open_ids = Invoice.objects.filter(customer_id=payment.customer_id, status__in=OPEN_STATUSES).values_list(
        "pk", flat=True
    )
    invoices = lock_invoices(open_ids)
    remaining = payment.unallocated_amount
    fee_left = payment.bank_fee - payment.allocated_fee
    rows = []
    for invoice in sorted(invoices, key=lambda i: (i.due_date, i.issue_date, i.pk)):
        due = invoice.open_amount
        if remaining <= 0 or due <= 0:
            continue
        amount = min(remaining, due)
        fee = bank_fee_shortfall(open_amount=due, paid=amount, fee_limit=fee_left) or ZERO
        rows.append(Allocation(invoice=invoice, payment=payment, amount=amount, bank_fee=fee))
        invoice.paid_amount += amount + fee
        remaining -= amount
        fee_left -= fee
    _finish_payment_allocation(payment, rows, {i.pk: i for i in invoices}, user)
    return rows


def _allocate_explicit(payment: Payment, items: Sequence[AllocationInput], user) -> list[Allocation]:
    if len(items) > MAX_DOCUMENT_LINES:
        raise InvalidInput(_("Too many allocations."), field="allocations")
    seen = set()
    total = fee_total = ZERO
    for index, item in enumerate(items):
        field = f"allocations[{index}]"
        amount = _check_amount(item.amount, f"{field}.amount", allow_zero=True)
        fee = _check_amount(item.bank_fee, f"{field}.bank_fee", allow_zero=True)
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
    invoices = {i.pk: i for i in lock_invoices(seen)}
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
    _write_allocations(rows, invoices, user)
    if rows:
        audit.record(
            actor=user,
            action="payment.allocate",
            obj=payment,
            changes={
                "allocations": [{"invoice": r.invoice.number, "amount": r.amount, "bank_fee": r.bank_fee} for r in rows]
            },
        )


@unit_of_work()
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
    amount = _check_amount(amount, "amount")
    bank_fee = _check_amount(bank_fee, "bank_fee", allow_zero=True)
    if bank_fee > amount:
        raise InvalidInput(_("The bank fee cannot be larger than the payment."), field="bank_fee")
    if not isinstance(received_on, dt.date):
        raise InvalidInput(_("Enter the date received."), field="received_on")
    _not_in_future(received_on, "received_on")
    if method not in PaymentMethod.values:
        raise InvalidInput(_("Choose a payment method."), field="method")
    if len(payer_name) > 100:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": 100}, field="payer_name")
    if len(note) > 200:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": 200}, field="note")
    payment = Payment.objects.create(
        customer=customer,
        received_on=received_on,
        amount=amount,
        bank_fee=bank_fee,
        method=method,
        payer_name=payer_name.strip(),
        note=note.strip(),
        created_by=user if user.is_authenticated else None,
    )
    audit.record(actor=user, action="payment.record", obj=payment, changes=audit.snapshot(payment))
    _allocate(payment, allocations, user)
    return payment


@unit_of_work()
def payment_allocate(*, payment: Payment, user, allocations: Sequence[AllocationInput] | None = None) -> Payment:
    """Match what is still unallocated on a payment (its customer credit)."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins match payments."))
    (payment,) = lock_payments([payment.pk])
    if payment.unallocated_amount <= 0 and payment.allocated_fee >= payment.bank_fee:
        raise StateConflict(_("This payment is fully allocated."))
    _allocate(payment, allocations, user)
    return payment


# --- credit notes (返品・値引) --------------------------------------------------------------------


@dataclass(frozen=True)
class CreditLineInput:
    """A return: `quantity` units of the invoice line. A price reduction: `amount` yen off it."""

    invoice_line: InvoiceLine
    quantity: int = 0
    amount: Decimal | None = None


@unit_of_work()
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
    from inventory.models import Warehouse
    from inventory.services import stock_return

    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins issue credit notes."))
    if kind not in CreditNote.Kind.values:
        raise InvalidInput(_("Choose return or price reduction."), field="kind")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the return or reduction."), field="reason")
    if len(reason) > 200:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": 200}, field="reason")
    issue_date = issue_date or timezone.localdate()
    _not_in_future(issue_date, "issue_date")
    if issue_date < invoice.issue_date:
        raise InvalidInput(_("A credit note cannot be dated before its invoice."), field="issue_date")
    if not lines:
        raise InvalidInput(_("A credit note needs at least one line."), field="lines")
    if len(lines) > MAX_DOCUMENT_LINES:
        raise InvalidInput(_("Too many lines."), field="lines")
    (invoice,) = lock_invoices([invoice.pk])
    if invoice.status == Invoice.Status.CANCELLED:
        raise StateConflict(_("A cancelled invoice cannot be credited."))
    profile = company_profile()
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
            amount = _check_amount(item.amount, f"{field}.amount") if item.amount is not None else None
            if amount is None:
                raise InvalidInput(_("Enter the amount of the reduction."), field=f"{field}.amount")
        if amount <= 0 or amount > left_amount:
            raise InvalidInput(
                _("At most ¥%(left)s can be credited on this line.") % {"left": f"{max(left_amount, ZERO):,}"},
                field=f"{field}.amount" if kind == CreditNote.Kind.PRICE_REDUCTION else f"{field}.quantity",
            )
        rows.append(CreditNoteLine(invoice_line=line, quantity=quantity, amount=amount, tax_rate=line.tax_rate))
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
        warehouse = warehouse or Warehouse.objects.filter(is_default=True).first()
        if warehouse is None:
            raise InvalidInput(_("Choose the warehouse the goods come back to."), field="warehouse")
        for product, quantity in returns:
            stock_return(
                product=product,
                warehouse=warehouse,
                quantity=quantity,
                reference=f"billing.Invoice:{invoice.pk}",
                note=f"返品 {invoice.number}: {reason}",
                user=user,
            )
    shipped = [line.shipped_on for line in (r.invoice_line for r in rows) if line.shipped_on]
    customer = invoice.customer
    data = DocumentData(
        kind=DocumentKind.CREDIT_NOTE,
        document_date=issue_date,
        recipient=customer_party(customer),
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
    document = document_issue(data=data, user=user, source=invoice, supersedes=invoice.document)
    note = CreditNote.objects.create(
        number=document.number,
        kind=kind,
        invoice=invoice,
        customer=customer,
        issue_date=issue_date,
        reason=reason,
        warehouse=warehouse if returns else None,
        subtotal=totals.subtotal,
        tax_total=totals.tax_total,
        total=totals.total,
        tax_breakdown=[{"rate": b.rate, "subtotal": str(b.subtotal), "tax": str(b.tax)} for b in totals.breakdown],
        document=document,
        created_by=user if user.is_authenticated else None,
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
        _write_allocations([Allocation(invoice=invoice, credit_note=note, amount=take)], {invoice.pk: invoice}, user)
    return note
