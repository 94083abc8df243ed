"""The manager dashboard's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .periods import month_end, month_start, months_later
from .sales import SalesReport, sales_report
from .targets import TargetReport, targets_report


@dataclass
class Dashboard:
    month: dt.date
    targets: TargetReport
    top_products: SalesReport
    trend: SalesReport


def dashboard(*, user, today: dt.date | None = None) -> Dashboard:
    """This month against target per rep, this month's top ten products and the last
    twelve months' sales next to the year before."""
    today = today or timezone.localdate()
    month = month_start(today)
    return Dashboard(
        month=month,
        targets=targets_report(user=user, month=month),
        top_products=sales_report(user=user, date_from=month, date_to=month_end(month), group_by=["product"], limit=10),
        trend=sales_report(user=user, date_from=months_later(month, -11), date_to=month_end(month), group_by=["month"]),
    )
