"""Reports as tables for download: CSV in UTF-8 with a BOM (so Excel in Japan opens it
as UTF-8) and .xlsx. Headers are translated, Japanese by default."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook

from backoffice.csvfiles import csv_text, spreadsheet_cell

from .selectors import BacklogReport, PipelineReport, SalesReport, TargetReport

DIMENSION_HEADERS = {
    "month": gettext_noop("Month"),
    "day": gettext_noop("Date"),
    "product": gettext_noop("Product"),
    "customer": gettext_noop("Customer"),
    "rep": gettext_noop("Sales rep"),
    "category": gettext_noop("Category"),
}


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]


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
        names = row.labels or [row.label, *[""] * (len(report.group_by) - 1)]
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
    return Table(title=_("Sales"), headers=headers, rows=rows)


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
    return Table(title=_("Targets"), headers=headers, rows=rows)


def backlog_table(report: BacklogReport) -> Table:
    headers = [_("Expected ship date"), _("Lines"), _("Quantity"), _("Amount (excl. tax)")]
    rows = [[r.label, r.lines, r.quantity, r.amount] for r in [*report.rows, report.total]]
    return Table(title=_("Order backlog"), headers=headers, rows=rows)


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
    return Table(title=_("Quote pipeline"), headers=headers, rows=rows)


def to_csv(table: Table) -> bytes:
    return csv_text(table.rows, header=table.headers).encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31])
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append([spreadsheet_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
