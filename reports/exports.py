"""Reports as tables for download: CSV in UTF-8 with a BOM (so Excel in Japan opens it
as UTF-8) and .xlsx. Headers are translated, Japanese by default."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from backoffice.csvfiles import csv_text, spreadsheet_cell

from .selectors import BacklogReport, ConsumptionTaxReport, PeriodTargets, PipelineReport, SalesReport, TargetReport

DIMENSION_HEADERS = {
    "month": gettext_noop("Month"),
    "day": gettext_noop("Date"),
    "product": gettext_noop("Product"),
    "customer": gettext_noop("Customer"),
    "rep": gettext_noop("Sales rep"),
    "category": gettext_noop("Category"),
}


# How a column's values are written: text; a date (2026/12/03) or a month (2026/12) as a
# real date cell; a whole number or yen amount as a number cell (#,##0); a percentage
# (12.5 meaning 12.5%) or a fraction (0.85 meaning 85%) as a percent cell (0.0%).
TEXT, DATE, MONTH, NUMBER, PERCENT, FRACTION = "text", "date", "month", "number", "percent", "fraction"
XLSX_FORMATS = {DATE: "yyyy/mm/dd", MONTH: "yyyy/mm", NUMBER: "#,##0", PERCENT: "0.0%", FRACTION: "0.0%"}


DIMENSION_KINDS = {"month": MONTH, "day": DATE}


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]
    kinds: list[str] = field(default_factory=list)  # one per column; text where missing

    def kind(self, index: int) -> str:
        return self.kinds[index] if index < len(self.kinds) else TEXT


def sales_table(report: SalesReport) -> Table:
    headers = [_(DIMENSION_HEADERS[d]) for d in report.group_by]
    headers += [
        _("Quantity"),
        _("Sales (excl. tax)"),
        _("Cost"),
        _("Gross profit"),
        _("Gross margin %"),
        _("Share %"),
        _("Last year quantity"),
        _("Last year sales"),
        _("Growth %"),
    ]
    rows = []
    for row in [*report.rows, report.total]:
        if row.keys:
            names = [_key_value(d, k, n) for d, k, n in zip(report.group_by, row.keys, row.labels, strict=True)]
        else:
            names = [row.label, *[""] * (len(report.group_by) - 1)]
        rows.append(
            [
                *names,
                row.quantity,
                row.amount,
                row.cost,
                row.gross_profit,
                row.gross_margin_pct,
                row.share_pct,
                row.last_year_quantity,
                row.last_year_amount,
                row.growth_pct,
            ]
        )
    kinds = [DIMENSION_KINDS.get(d, TEXT) for d in report.group_by]
    kinds += [NUMBER, NUMBER, NUMBER, NUMBER, PERCENT, PERCENT, NUMBER, NUMBER, PERCENT]
    return Table(title=_("Sales"), headers=headers, rows=rows, kinds=kinds)


def targets_table(report: TargetReport) -> Table:
    headers = [
        _("Sales rep"),
        _("Target"),
        _("Actual"),
        _("Achievement rate"),
        _("Target (year to date)"),
        _("Actual (year to date)"),
        _("Achievement rate (year to date)"),
    ]
    rows = [
        [r.rep, r.target, r.actual, r.achievement_rate, r.ytd_target, r.ytd_actual, r.ytd_achievement_rate]
        for r in [*report.rows, report.total]
    ]
    kinds = [TEXT, NUMBER, NUMBER, FRACTION, NUMBER, NUMBER, FRACTION]
    return Table(title=_("Targets"), headers=headers, rows=rows, kinds=kinds)


def period_targets_table(report: PeriodTargets) -> Table:
    headers = [
        _("Sales rep"),
        _("Target"),
        _("Actual"),
        _("Achievement rate"),
        _("Last year"),
        _("Growth %"),
        _("From"),
        _("To"),
    ]
    rows = [
        [
            r.rep,
            r.target,
            r.actual,
            r.achievement_pct,
            r.last_year_actual,
            r.growth_pct,
            report.date_from,
            report.date_to,
        ]
        for r in [*report.rows, report.total]
    ]
    kinds = [TEXT, NUMBER, NUMBER, PERCENT, NUMBER, PERCENT, DATE, DATE]
    return Table(title=_("Targets"), headers=headers, rows=rows, kinds=kinds)


def backlog_table(report: BacklogReport) -> Table:
    headers = [_("Expected ship date"), _("Lines"), _("Quantity"), _("Amount (excl. tax)")]
    dimension = "month" if report.group_by == "month" else "day"
    rows = [[_key_value(dimension, r.key, r.label), r.lines, r.quantity, r.amount] for r in report.rows]
    rows.append([report.total.label, report.total.lines, report.total.quantity, report.total.amount])
    kinds = [DIMENSION_KINDS[dimension], NUMBER, NUMBER, NUMBER]
    return Table(title=_("Order backlog"), headers=headers, rows=rows, kinds=kinds)


def pipeline_table(report: PipelineReport) -> Table:
    headers = [
        _("Sales rep"),
        _("Open quotes"),
        _("Open amount"),
        _("Accepted"),
        _("Accepted amount"),
        _("Declined"),
        _("Expired"),
        _("Won rate"),
    ]
    rows = [
        [
            r.rep,
            r.open_count,
            r.open_amount,
            r.accepted_count,
            r.accepted_amount,
            r.declined_count,
            r.expired_count,
            r.won_rate,
        ]
        for r in [*report.rows, report.total]
    ]
    kinds = [TEXT, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, FRACTION]
    return Table(title=_("Quote pipeline"), headers=headers, rows=rows, kinds=kinds)


def consumption_tax_table(report: ConsumptionTaxReport) -> Table:
    headers = [
        _("Tax rate"),
        _("Sales (excl. tax)"),
        _("Tax on sales"),
        _("Returns and price reductions (excl. tax)"),
        _("Tax on returns"),
        _("Net sales (excl. tax)"),
        _("Net consumption tax"),
        _("Invoices"),
        _("Credit notes"),
    ]
    rows = [
        [r.label, r.sales, r.sales_tax, r.returns, r.returns_tax, r.net_sales, r.tax, r.invoices, r.credit_notes]
        for r in [*report.rows, report.total]
    ]
    kinds = [TEXT, *[NUMBER] * 8]
    return Table(title=_("Consumption tax"), headers=headers, rows=rows, kinds=kinds)


def _key_value(dimension: str, key: str, label: str):
    """A month or day key as the date it is (for a real date cell); any other key's label."""
    try:
        if dimension == "month":
            return dt.date.fromisoformat(f"{key}-01")
        if dimension == "day":
            return dt.date.fromisoformat(key)
    except ValueError:
        return label
    return label


def _csv_value(kind: str, value):
    if value is None or value == "":
        return ""
    if kind == DATE and isinstance(value, dt.date):
        return f"{value:%Y/%m/%d}"
    if kind == MONTH and isinstance(value, dt.date):
        return f"{value:%Y/%m}"
    if kind == PERCENT:
        return f"{Decimal(value):f}%"
    if kind == FRACTION:
        return f"{(Decimal(value) * 100).quantize(Decimal('0.1')):f}%"
    return value


def to_csv(table: Table) -> bytes:
    """UTF-8 with a BOM; dates 2026/12/03, months 2026/12, rates 12.5%: Excel in Japan reads
    each as the date or percentage it is."""
    rows = [[_csv_value(table.kind(i), v) for i, v in enumerate(row)] for row in table.rows]
    return csv_text(rows, header=table.headers).encode("utf-8-sig")


def _xlsx_cell(sheet, kind: str, value):
    if value is None or value == "":
        return ""
    if kind in (DATE, MONTH) and isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
    elif kind == PERCENT:
        cell = WriteOnlyCell(sheet, value=Decimal(value) / 100)
    elif kind in (NUMBER, FRACTION) and isinstance(value, int | Decimal) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        return spreadsheet_cell(value)
    cell.number_format = XLSX_FORMATS[kind]
    return cell


def to_xlsx(table: Table) -> bytes:
    """One sheet: dates and months are date cells, amounts number cells, rates percent cells."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31])
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, table.kind(i), value) for i, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
