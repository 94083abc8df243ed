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
import operator
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from backoffice.csvfiles import csv_text, spreadsheet_cell
from backoffice.db import MONEY_FIELD
from backoffice.money import ZERO
from backoffice.roles import restrict_to_own_customers
from orders.models import Customer

from .models import Allocation, CreditNote, Invoice, Payment
from .selectors import BUCKETS, OPEN_STATUSES, AgingRow, _sum, open_amount_expression, unmatched, unmatched_left

# --- aging --------------------------------------------------------------------------------------


def _source_dated(on_or_before: bool, as_of: dt.date) -> Q:
    """Allocations whose source (payment or credit note) is dated by `as_of` (or after it)."""
    lookup = "lte" if on_or_before else "gt"
    return Q(**{f"payment__received_on__{lookup}": as_of}) | Q(**{f"credit_note__issue_date__{lookup}": as_of})


@dataclass
class AgingReport:
    as_of: dt.date
    rows: AgingRows
    totals: dict[str, Decimal]


AGING_COLUMNS = (*BUCKETS, "credit")


def _due_in(bucket: str, as_of: dt.date, due_date: str) -> Q:
    """The due dates of the amounts in one aging column on `as_of`: not yet due (due on the
    day or later), 1-30, 31-60, 61-90 or over 90 days late."""

    def days_before(days: int) -> dt.date:
        return as_of - dt.timedelta(days=days)

    if bucket == "current":
        return Q(**{f"{due_date}__gte": as_of})
    if bucket == "days_90_plus":
        return Q(**{f"{due_date}__lt": days_before(90)})
    late_from, late_to = {"days_30": (1, 30), "days_60": (31, 60), "days_90": (61, 90)}[bucket]
    return Q(**{f"{due_date}__range": (days_before(late_to), days_before(late_from))})


def _aging_columns(customer: str, amount, as_of: dt.date, *, due_date: str | None = None) -> dict:
    """One source's columns for the union the aging sums: the customer, and `amount` in the
    column of its due date on `as_of` (an open amount) or, without a due date, as credit."""
    zero = Value(ZERO, output_field=MONEY_FIELD)
    columns = {"aging_customer": F(customer)}
    for bucket in BUCKETS:
        if due_date is None:
            columns[bucket] = zero
        else:
            columns[bucket] = Case(
                When(_due_in(bucket, as_of, due_date), then=amount), default=zero, output_field=MONEY_FIELD
            )
    columns["credit"] = zero if due_date is not None else ExpressionWrapper(amount, output_field=MONEY_FIELD)
    return columns


class AgingRows:
    """The aging's rows, one per customer by code, read from the database when asked for:
    what Paginator and DRF's pagination need. The length is known from the start; a slice
    is one query of its rows (none for the slice read with the totals), iterating reads
    them all in one query."""

    def __init__(self, grouped_sql: str, params: list, count: int, window: tuple[int, list[AgingRow]] = (0, [])):
        self._sql, self._params, self._count = grouped_sql, params, count
        self._window_start, self._window = window
        self._all: list[AgingRow] | None = None

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        return iter(self._rows())

    def __getitem__(self, index):
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                return self._rows()[index]
            if stop <= start:
                return []
            first = self._window_start
            if first <= start and stop <= first + len(self._window):
                return self._window[start - first : stop - first]
            return self._fetch(start, stop - start)
        position = operator.index(index)
        if position < 0:
            position += self._count
        if not 0 <= position < self._count:
            raise IndexError("aging row index out of range")
        return self[position : position + 1][0]

    def _rows(self) -> list[AgingRow]:
        if self._all is None:
            self._all = self._fetch(0, self._count) if self._count else []
        return self._all

    def _fetch(self, offset: int, limit: int) -> list[AgingRow]:
        with connection.cursor() as cursor:
            cursor.execute(f"WITH g AS ({self._sql}) {_ROWS_SQL}", [*self._params, limit, offset])
            return [_aging_row(row) for row in cursor.fetchall()]


# The rows of the per-customer sums `g`, with the customers' codes and names, by code.
_ROWS_SQL = (
    f"SELECT g.aging_customer, c.code, c.name, {', '.join(f'g.{name}' for name in AGING_COLUMNS)} FROM g "  # noqa: S608
    f"JOIN {Customer._meta.db_table} c ON c.id = g.aging_customer ORDER BY c.code, c.id LIMIT %s OFFSET %s"
)
# How many customers, the totals, and (LEFT JOIN) the rows of a slice, in one statement.
_TOTALS_AND_ROWS_SQL = (
    f"SELECT t.*, r.* FROM (SELECT COUNT(*) AS aging_count, "  # noqa: S608
    f"{', '.join(f'SUM(g.{name}) AS total_{name}' for name in AGING_COLUMNS)} FROM g) t "
    f"LEFT JOIN ({_ROWS_SQL}) r ON 1 = 1 ORDER BY r.code, r.aging_customer"
)


def _aging_row(row) -> AgingRow:
    customer, code, name, *amounts = row
    return AgingRow(customer, code, name, *map(_money, amounts))


_MONEY_VALUE = Value(ZERO, output_field=MONEY_FIELD)


def _money(value) -> Decimal:
    """A sum as the database returns it (SQLite: an int), as Decimal yen; NULL (no rows) as 0."""
    if value is None:
        return ZERO
    for converter in connection.ops.get_db_converters(_MONEY_VALUE):
        value = converter(value, _MONEY_VALUE, connection)
    return value


def _aging_union(*, user, as_of: dt.date, customer: Customer | None) -> tuple[str, list] | None:
    """The SQL (and its parameters) of every amount the aging adds up on `as_of`, one row each:
    the customer and the amount in its column (`_aging_columns`). A UNION ALL of open
    invoices, unmatched payments and credit notes, and for a past day the allocations made
    after it, which still stood open or as credit then. None if the user sees no customer."""

    def scoped(queryset, path="customer"):
        queryset = restrict_to_own_customers(queryset, user, path).order_by()
        return queryset.filter(**{path: customer}) if customer is not None else queryset

    invoices = scoped(Invoice.objects.filter(status__in=OPEN_STATUSES, issue_date__lte=as_of))
    sources = [invoices.values(**_aging_columns("customer", open_amount_expression(), as_of, due_date="due_date"))]
    for model, total, dated in ((Payment, "amount", "received_on"), (CreditNote, "total", "issue_date")):
        credit = scoped(unmatched(model, total).filter(**{f"{dated}__lte": as_of}))
        sources.append(credit.values(**_aging_columns("customer", unmatched_left(total), as_of)))
    if as_of < timezone.localdate():
        allocations = scoped(Allocation.objects.exclude(invoice__status=Invoice.Status.CANCELLED), "invoice__customer")
        # Settled by money or credit notes dated after the day: still open then.
        later = allocations.filter(_source_dated(False, as_of), invoice__issue_date__lte=as_of)
        settled = F("amount") + F("bank_fee")
        sources.append(
            later.values(**_aging_columns("invoice__customer", settled, as_of, due_date="invoice__due_date"))
        )
        # Credit that settled invoices issued after the day: still credit then.
        used = allocations.filter(_source_dated(True, as_of), invoice__issue_date__gt=as_of)
        sources.append(used.values(**_aging_columns("invoice__customer", F("amount"), as_of)))
    try:
        return sources[0].union(*sources[1:], all=True).query.sql_with_params()
    except EmptyResultSet:
        return None


# Whole yen (MONEY_FIELD has no decimals) summed as integers: PostgreSQL's bigint sum is
# much lighter than its numeric one (ten thousand customers' sums stay in memory).
_UNION_SUMS = {name: f"SUM(CAST(u.{name} AS BIGINT))" for name in AGING_COLUMNS}


def _totals(amounts) -> dict[str, Decimal]:
    totals = dict(zip(AGING_COLUMNS, map(_money, amounts), strict=True))
    totals["total"] = sum((totals[name] for name in BUCKETS), ZERO) - totals["credit"]
    return totals


def aging(*, user, as_of: dt.date, customer: Customer | None = None, rows: slice | None = None) -> AgingReport:
    """Every customer the user may see with money open or held for them on `as_of`, by code;
    a customer whose balance is credit appears with it.

    The database adds it up (`_aging_union`, grouped per customer): one query for the
    number of customers and the totals, and with them the slice `rows` of the rows if given
    (the page a screen shows); other rows are read when asked for (`AgingRows`: one query
    per slice, or one for all)."""
    union = _aging_union(user=user, as_of=as_of, customer=customer)
    if union is None:
        return AgingReport(as_of=as_of, rows=AgingRows("", [], 0), totals=_totals([None] * len(AGING_COLUMNS)))
    union_sql, params = union
    sums = ", ".join(f"{total} AS {name}" for name, total in _UNION_SUMS.items())
    some = " OR ".join(f"{total} <> 0" for total in _UNION_SUMS.values())
    grouped = f"SELECT u.aging_customer, {sums} FROM ({union_sql}) u GROUP BY u.aging_customer HAVING {some}"  # noqa: S608
    first = max(rows.start or 0, 0) if rows is not None else 0
    size = max((rows.stop or 0) - first, 0) if rows is not None else 0
    with connection.cursor() as cursor:
        cursor.execute(f"WITH g AS ({grouped}) {_TOTALS_AND_ROWS_SQL}", [*params, size, first])
        fetched = cursor.fetchall()
    width = 1 + len(AGING_COLUMNS)
    count, *amounts = fetched[0][:width]
    window = [_aging_row(row[width:]) for row in fetched if row[width] is not None]
    return AgingReport(
        as_of=as_of, rows=AgingRows(grouped, list(params), count, (first, window)), totals=_totals(amounts)
    )


def aging_totals(*, user, as_of: dt.date) -> dict[str, Decimal]:
    """The totals of `aging` alone (the dashboard's): each column summed over every amount,
    without grouping per customer first (a customer whose amounts add up to nothing adds
    nothing either way). One query."""
    union = _aging_union(user=user, as_of=as_of, customer=None)
    if union is None:
        return _totals([None] * len(AGING_COLUMNS))
    union_sql, params = union
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(_UNION_SUMS.values())} FROM ({union_sql}) u", params)  # noqa: S608
        return _totals(cursor.fetchone())


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
