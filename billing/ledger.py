"""Receivables as they stood on a day: the aging per customer (売掛金年齢表) and one
customer's ledger (売掛金元帳). Reads only, shared by the screens and the API.

One definition of a customer's balance on a day D, so that the ledger's closing balance
equals the aging total:

    invoices issued on or before D (their own sales including tax; cancelled ones never
    counted: nothing may have settled them)
  − payments received on or before D (the money)
  − credit notes issued on or before D
  − bank fees that settled an invoice, on the later of the payment's and the invoice's date

An allocation (消込) counts from the later of its source's date (payment received, credit
note issued) and its invoice's issue date: money received before its invoice was customer
credit until the invoice came (a "credit use" in the ledger). So, on day D:

- an invoice issued by D is open by its sales less the allocations whose source is dated
  by D (money that came later did not settle it yet), in the bucket of its due date;
- a payment or credit note dated by D is credit by what it had not settled on invoices
  issued by D.

Nothing is dated in the future (the services refuse it), so on today or later the current
open amounts and credit are the answer, without the corrections for later rows.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from backoffice.csvfiles import csv_text, spreadsheet_cell
from backoffice.money import ZERO
from backoffice.roles import restrict_to_own_customers
from orders.models import Customer

from .models import Allocation, CreditNote, Invoice, Payment
from .selectors import BUCKETS, OPEN_STATUSES, AgingRow, _sum, open_amount_expression, unmatched, unmatched_left

# --- aging --------------------------------------------------------------------------------------


def bucket_of(due_date: dt.date, as_of: dt.date) -> str:
    """Which aging column an amount due on `due_date` falls in on `as_of`."""
    late = (as_of - due_date).days
    if late <= 0:
        return "current"
    if late <= 30:
        return "days_30"
    if late <= 60:
        return "days_60"
    if late <= 90:
        return "days_90"
    return "days_90_plus"


@dataclass
class AgingReport:
    as_of: dt.date
    rows: list[AgingRow]
    totals: dict[str, Decimal]


@dataclass
class _Customer:
    code: str
    name: str
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys((*BUCKETS, "credit"), ZERO))


def _source_dated(on_or_before: bool, as_of: dt.date) -> Q:
    """Allocations whose source (payment or credit note) is dated by `as_of` (or after it)."""
    lookup = "lte" if on_or_before else "gt"
    return Q(**{f"payment__received_on__{lookup}": as_of}) | Q(**{f"credit_note__issue_date__{lookup}": as_of})


def aging(*, user, as_of: dt.date, customer: Customer | None = None) -> AgingReport:
    """Every customer the user may see with money open or held for them on `as_of`, by code;
    a customer whose balance is credit appears with it. Three queries (five for a past day),
    whatever the number of customers."""
    customers: dict[int, _Customer] = {}

    def add(customer_id, code, name, column, amount):
        if amount:
            entry = customers.setdefault(customer_id, _Customer(code=code, name=name))
            entry.amounts[column] += amount

    def scoped(queryset, path="customer"):
        queryset = restrict_to_own_customers(queryset, user, path)
        return queryset.filter(**{path: customer}) if customer is not None else queryset

    keys = ("customer", "customer__code", "customer__name")
    invoices = scoped(Invoice.objects.filter(status__in=OPEN_STATUSES, issue_date__lte=as_of))
    for row in invoices.values(*keys, "due_date").annotate(open=_sum(open_amount_expression())).order_by():
        add(*(row[k] for k in keys), bucket_of(row["due_date"], as_of), row["open"])
    for model, total, dated in ((Payment, "amount", "received_on"), (CreditNote, "total", "issue_date")):
        credit = scoped(unmatched(model, total).filter(**{f"{dated}__lte": as_of}))
        for row in credit.values(*keys).annotate(left=_sum(unmatched_left(total))).order_by():
            add(*(row[k] for k in keys), "credit", row["left"])

    if as_of < timezone.localdate():
        allocations = scoped(Allocation.objects.exclude(invoice__status=Invoice.Status.CANCELLED), "invoice__customer")
        keys = ("invoice__customer", "invoice__customer__code", "invoice__customer__name")
        # Settled by money or credit notes dated after the day: still open then.
        later = allocations.filter(_source_dated(False, as_of), invoice__issue_date__lte=as_of)
        for row in later.values(*keys, "invoice__due_date").annotate(settled=Sum(F("amount") + F("bank_fee"))):
            add(*(row[k] for k in keys), bucket_of(row["invoice__due_date"], as_of), row["settled"])
        # Credit that settled invoices issued after the day: still credit then.
        used = allocations.filter(_source_dated(True, as_of), invoice__issue_date__gt=as_of)
        for row in used.values(*keys).annotate(used=Sum("amount")).order_by():
            add(*(row[k] for k in keys), "credit", row["used"])

    rows = [
        AgingRow(customer=pk, customer_code=c.code, customer_name=c.name, **c.amounts)
        for pk, c in sorted(customers.items(), key=lambda item: (item[1].code, item[0]))
        if any(c.amounts.values())
    ]
    totals = {name: sum((getattr(row, name) for row in rows), ZERO) for name in (*BUCKETS, "credit")}
    totals["total"] = sum((totals[name] for name in BUCKETS), ZERO) - totals["credit"]
    return AgingReport(as_of=as_of, rows=rows, totals=totals)


def aging_headers() -> list[str]:
    return [
        _("Customer code"),
        _("Customer"),
        _("Not yet due"),
        _("1-30 days"),
        _("31-60 days"),
        _("61-90 days"),
        _("Over 90 days"),
        _("Credit"),
        _("Balance"),
    ]


def aging_table(report: AgingReport) -> list[list]:
    rows = [
        [row.customer_code, row.customer_name, *(getattr(row, name) for name in BUCKETS), row.credit, row.total]
        for row in report.rows
    ]
    totals = report.totals
    rows.append(["", _("Total"), *(totals[name] for name in BUCKETS), totals["credit"], totals["total"]])
    return rows


# --- the customer ledger (売掛金元帳) -------------------------------------------------------------


class EntryKind:
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"
    FEE = "fee"
    CREDIT_USE = "credit_use"


ENTRY_ORDER = {EntryKind.INVOICE: 0, EntryKind.CREDIT_NOTE: 1, EntryKind.PAYMENT: 2, EntryKind.FEE: 3}
ENTRY_ORDER[EntryKind.CREDIT_USE] = 4


@dataclass
class LedgerEntry:
    date: dt.date
    kind: str
    description: str
    number: str = ""
    charge: Decimal = ZERO  # 売上 (increases the balance)
    received: Decimal = ZERO  # 入金・手数料・返品値引 (decreases it)
    applied: Decimal = ZERO  # credit used on an invoice: moves nothing, shown for the record
    balance: Decimal = ZERO
    invoice_id: int | None = None
    sort_key: tuple = ()


@dataclass
class Ledger:
    customer: Customer
    date_from: dt.date
    date_to: dt.date
    opening_balance: Decimal
    entries: list[LedgerEntry]
    closing_balance: Decimal

    @property
    def total_charged(self) -> Decimal:
        return sum((e.charge for e in self.entries), ZERO)

    @property
    def total_received(self) -> Decimal:
        return sum((e.received for e in self.entries), ZERO)


def _fee_allocations(customer: Customer):
    """Allocations that settled part of an invoice with the payment's bank fee, with the day
    the fee counts from."""
    return Allocation.objects.filter(payment__customer=customer, bank_fee__gt=0).annotate(
        effective=Greatest("payment__received_on", "invoice__issue_date")
    )


def _balance_before(customer: Customer, day: dt.date) -> Decimal:
    """The balance at the end of the day before `day` (four queries)."""
    invoices = Invoice.objects.filter(customer=customer, issue_date__lt=day).exclude(status=Invoice.Status.CANCELLED)
    charged = invoices.aggregate(s=_sum("sales_total"))["s"]
    paid = Payment.objects.filter(customer=customer, received_on__lt=day).aggregate(s=_sum("amount"))["s"]
    credited = CreditNote.objects.filter(customer=customer, issue_date__lt=day).aggregate(s=_sum("total"))["s"]
    fees = _fee_allocations(customer).filter(effective__lt=day).aggregate(s=_sum("bank_fee"))["s"]
    return charged - paid - credited - fees


def customer_ledger(*, customer: Customer, date_from: dt.date, date_to: dt.date) -> Ledger:
    """売掛金元帳: the opening balance, each invoice, credit note, payment, bank fee and use of
    credit from `date_from` to `date_to` (inclusive) with the running balance, and the
    closing balance (the aging total of this customer on `date_to`). Nine queries."""
    period = {"gte": date_from, "lte": date_to}

    def within(name):
        return {f"{name}__{lookup}": value for lookup, value in period.items()}

    entries: list[LedgerEntry] = []
    invoices = Invoice.objects.filter(customer=customer, **within("issue_date")).exclude(
        status=Invoice.Status.CANCELLED
    )
    for invoice in invoices.only("pk", "number", "kind", "issue_date", "sales_total", "period_end"):
        description = _("Invoice") if invoice.kind == Invoice.Kind.PER_SHIPMENT else _("Consolidated invoice")
        entries.append(
            LedgerEntry(
                date=invoice.issue_date,
                kind=EntryKind.INVOICE,
                description=description,
                number=invoice.number,
                charge=invoice.sales_total,
                invoice_id=invoice.pk,
                sort_key=(invoice.pk,),
            )
        )
    for note in CreditNote.objects.filter(customer=customer, **within("issue_date")).select_related("invoice"):
        entries.append(
            LedgerEntry(
                date=note.issue_date,
                kind=EntryKind.CREDIT_NOTE,
                description=_("Credit note (%(kind)s) for %(invoice)s")
                % {"kind": note.get_kind_display(), "invoice": note.invoice.number},
                number=note.number,
                received=note.total,
                invoice_id=note.invoice_id,
                sort_key=(note.pk,),
            )
        )
    for payment in Payment.objects.filter(customer=customer, **within("received_on")):
        entries.append(
            LedgerEntry(
                date=payment.received_on,
                kind=EntryKind.PAYMENT,
                description=_("Payment (%(method)s)") % {"method": payment.get_method_display()},
                received=payment.amount,
                sort_key=(payment.pk,),
            )
        )
    fee_rows = (
        _fee_allocations(customer)
        .filter(**within("effective"))
        .values("effective", "payment", "payment__received_on")
        .annotate(fee=Sum("bank_fee"))
        .order_by()
    )
    for row in fee_rows:
        entries.append(
            LedgerEntry(
                date=row["effective"],
                kind=EntryKind.FEE,
                description=_("Bank fee deducted from the payment of %(date)s")
                % {"date": f"{row['payment__received_on']:%Y/%m/%d}"},
                received=row["fee"],
                sort_key=(row["payment"],),
            )
        )
    # Credit (money or a credit note dated before the invoice) used to settle an invoice.
    uses = (
        Allocation.objects.filter(invoice__customer=customer, amount__gt=0, **within("invoice__issue_date"))
        .filter(
            Q(payment__received_on__lt=F("invoice__issue_date"))
            | Q(credit_note__issue_date__lt=F("invoice__issue_date"))
        )
        .select_related("invoice", "payment", "credit_note")
    )
    for allocation in uses:
        if allocation.payment is not None:
            source = _("payment of %(date)s") % {"date": f"{allocation.payment.received_on:%Y/%m/%d}"}
        else:
            source = allocation.credit_note.number
        entries.append(
            LedgerEntry(
                date=allocation.invoice.issue_date,
                kind=EntryKind.CREDIT_USE,
                description=_("Credit used: %(source)s") % {"source": source},
                number=allocation.invoice.number,
                applied=allocation.amount,
                invoice_id=allocation.invoice_id,
                sort_key=(allocation.pk,),
            )
        )

    entries.sort(key=lambda e: (e.date, ENTRY_ORDER[e.kind], e.sort_key))
    opening = _balance_before(customer, date_from)
    balance = opening
    for entry in entries:
        balance += entry.charge - entry.received
        entry.balance = balance
    return Ledger(
        customer=customer,
        date_from=date_from,
        date_to=date_to,
        opening_balance=opening,
        entries=entries,
        closing_balance=balance,
    )


def ledger_headers() -> list[str]:
    return [_("Date"), _("Entry"), _("Number"), _("Charges"), _("Received"), _("Credit used"), _("Balance")]


def ledger_table(ledger: Ledger) -> list[list]:
    rows: list[list] = [[ledger.date_from, _("Opening balance"), "", None, None, None, ledger.opening_balance]]
    for e in ledger.entries:
        rows.append(
            [e.date, e.description, e.number, e.charge or None, e.received or None, e.applied or None, e.balance]
        )
    rows.append([ledger.date_to, _("Closing balance"), "", ledger.total_charged, ledger.total_received, None,
                 ledger.closing_balance])  # fmt: skip
    return rows


# --- downloads ----------------------------------------------------------------------------------


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a BOM, so that Excel in Japan opens it as UTF-8; dates as 2026/12/03."""
    return csv_text(
        [[f"{v:%Y/%m/%d}" if isinstance(v, dt.date) else v for v in row] for row in rows], header=headers
    ).encode("utf-8-sig")


def to_xlsx(title: str, headers: list[str], rows: list[list], *, heading: list[str] = ()) -> bytes:
    """One sheet: dates are date cells, amounts number cells (#,##0), text as text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for line in heading:
        sheet.append([line])
    sheet.append(headers)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy/mm/dd"
            elif isinstance(value, Decimal | int) and not isinstance(value, bool):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0"
            else:
                cell = spreadsheet_cell(value)
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
