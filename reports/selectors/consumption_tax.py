"""消費税集計: sales, returns and consumption tax per tax rate for a period, the figures a
consumption-tax return (消費税申告) is filled in from.

Booked on the document's issue date: an invoice (per-shipment or consolidated 合計請求書)
counts on its 請求日, a credit note (返品・値引, 適格返還請求書) on its own issue date, not the
original sale's. Cancelled invoices count nowhere. The amounts are those the documents
state in their tax breakdown (per rate: the amount excluding tax and the tax, rounded once
per rate per document, 内税 customers' tax extracted once per rate), never recomputed from
lines, so the report adds up, to the yen, the tax the customers were invoiced
(積上げ計算). The same documents and dates as the accounting journal (billing.journal).
Company-wide: for sales admins and managers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from billing.models import CreditNote, Invoice

from .figures import ZERO

# The rates every report lists, even with nothing in them: standard, reduced, exempt.
STANDARD_RATES = (10, 8, 0)
BOOKED_ON = "issue_date"


@dataclass
class TaxRateRow:
    rate: int
    sales: Decimal = ZERO  # invoices, excluding tax
    sales_tax: Decimal = ZERO
    returns: Decimal = ZERO  # credit notes, excluding tax (a positive figure that reduces sales)
    returns_tax: Decimal = ZERO
    invoices: int = 0  # documents with an amount at this rate
    credit_notes: int = 0

    @property
    def net_sales(self) -> Decimal:
        return self.sales - self.returns

    @property
    def tax(self) -> Decimal:
        """The net consumption tax at this rate: invoiced less returned."""
        return self.sales_tax - self.returns_tax

    @property
    def label(self) -> str:
        return rate_label(self.rate)


@dataclass
class ConsumptionTaxReport:
    date_from: dt.date
    date_to: dt.date
    rows: list[TaxRateRow]
    total: TaxRateRow = field(default_factory=lambda: TaxRateRow(rate=-1))
    booked_on: str = BOOKED_ON


def rate_label(rate: int) -> str:
    if rate == 0:
        return _("0% (exempt / out of scope)")
    if rate == 8:
        return _("8% (reduced rate)")
    if rate < 0:
        return _("Total")
    return f"{rate}%"


def _add(rows: dict[int, TaxRateRow], breakdown, *, returns: bool) -> None:
    for part in breakdown:
        subtotal, tax = Decimal(part["subtotal"]), Decimal(part["tax"])
        if not subtotal and not tax:
            continue
        row = rows.setdefault(int(part["rate"]), TaxRateRow(rate=int(part["rate"])))
        if returns:
            row.returns += subtotal
            row.returns_tax += tax
            row.credit_notes += 1
        else:
            row.sales += subtotal
            row.sales_tax += tax
            row.invoices += 1


def consumption_tax_report(*, date_from: dt.date, date_to: dt.date) -> ConsumptionTaxReport:
    """Per tax rate, highest first (10%, 8%, 0% always listed): the period's invoices'
    sales and tax, the credit notes' returns and tax, and the net. Two queries."""
    rows: dict[int, TaxRateRow] = {rate: TaxRateRow(rate=rate) for rate in STANDARD_RATES}
    invoices = Invoice.objects.filter(issue_date__range=(date_from, date_to)).exclude(status=Invoice.Status.CANCELLED)
    for breakdown in invoices.order_by().values_list("tax_breakdown", flat=True).iterator(chunk_size=2000):
        _add(rows, breakdown, returns=False)
    notes = CreditNote.objects.filter(issue_date__range=(date_from, date_to))
    for breakdown in notes.order_by().values_list("tax_breakdown", flat=True).iterator(chunk_size=2000):
        _add(rows, breakdown, returns=True)
    ordered = [rows[rate] for rate in sorted(rows, reverse=True)]
    total = TaxRateRow(
        rate=-1,
        sales=sum((r.sales for r in ordered), ZERO),
        sales_tax=sum((r.sales_tax for r in ordered), ZERO),
        returns=sum((r.returns for r in ordered), ZERO),
        returns_tax=sum((r.returns_tax for r in ordered), ZERO),
        invoices=sum(r.invoices for r in ordered),
        credit_notes=sum(r.credit_notes for r in ordered),
    )
    return ConsumptionTaxReport(date_from=date_from, date_to=date_to, rows=ordered, total=total)
