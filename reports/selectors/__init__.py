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
from .labels import key_text, month_label, user_label
from .periods import fiscal_year_start, month_end, month_start, months_later, year_earlier, year_later
from .pipeline import PipelineReport, PipelineRow, pipeline_report
from .sales import SalesReport, SalesRow, sales_report
from .targets import TargetReport, TargetRow, targets_report

__all__ = [
    "DIMENSIONS",
    "MAX_ROWS",
    "MEASURES",
    "PERIOD_DIMENSIONS",
    "BacklogReport",
    "BacklogRow",
    "ConsumptionTaxReport",
    "Dashboard",
    "PipelineReport",
    "PipelineRow",
    "SalesFilters",
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
    "month_end",
    "month_label",
    "month_start",
    "months_later",
    "percent",
    "pipeline_report",
    "rate_label",
    "sales_report",
    "targets_report",
    "user_label",
    "year_earlier",
    "year_later",
]
