"""Reads of the reports app, one module per report; every figure is read from orders and
billing at request time (see aggregation.py for how, and why there is no summary table)."""

from .aggregation import (
    DIMENSIONS,
    MAX_ROWS,
    MEASURES,
    PERIOD_DIMENSIONS,
    SalesFilters,
    TooManyRows,
    aggregate_sales,
)
from .backlog import BacklogReport, BacklogRow, backlog_report
from .consumption_tax import ConsumptionTaxReport, TaxRateRow, consumption_tax_report, rate_label
from .dashboard import Dashboard, dashboard
from .figures import fraction, growth, percent
from .labels import key_text, labels_for, month_label, user_label
from .lines import MAX_LINES, SalesLine, SalesLines, sales_lines
from .periods import fiscal_year_start, month_end, month_start, months_later, year_earlier, year_later
from .pipeline import PipelineReport, PipelineRow, pipeline_report
from .sales import SalesReport, SalesRow, monthly_net_sales, sales_report
from .targets import PeriodTargetRow, PeriodTargets, TargetReport, TargetRow, period_targets, targets_report

__all__ = [
    "DIMENSIONS",
    "MAX_LINES",
    "MAX_ROWS",
    "MEASURES",
    "PERIOD_DIMENSIONS",
    "BacklogReport",
    "BacklogRow",
    "ConsumptionTaxReport",
    "Dashboard",
    "PeriodTargetRow",
    "PeriodTargets",
    "PipelineReport",
    "PipelineRow",
    "SalesFilters",
    "SalesLine",
    "SalesLines",
    "SalesReport",
    "SalesRow",
    "TargetReport",
    "TargetRow",
    "TaxRateRow",
    "TooManyRows",
    "aggregate_sales",
    "backlog_report",
    "consumption_tax_report",
    "dashboard",
    "fiscal_year_start",
    "fraction",
    "growth",
    "key_text",
    "labels_for",
    "month_end",
    "month_label",
    "month_start",
    "months_later",
    "percent",
    "period_targets",
    "pipeline_report",
    "rate_label",
    "sales_lines",
    "monthly_net_sales",
    "sales_report",
    "targets_report",
    "user_label",
    "year_earlier",
    "year_later",
]
