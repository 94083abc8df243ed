"""The periods reports compare: months, fiscal years and the same dates a year earlier.
Month arithmetic is backoffice's (`add_months` on (year, month), `day_of_month` clamping
a day to the month's end)."""

from __future__ import annotations

import datetime as dt

from backoffice.businessdays import MONTH_END, add_months, day_of_month


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day_of_month(day.year, day.month, MONTH_END)


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the month's end (1/31 + 1 → 2/28)."""
    return day_of_month(*add_months(day.year, day.month, months), day.day)


def year_earlier(day: dt.date) -> dt.date:
    """The same date a year earlier; a month end stays a month end (2025-02-28 → 2024-02-29)."""
    return day_of_month(*add_months(day.year, day.month, -12), MONTH_END if day == month_end(day) else day.day)


def year_later(day: dt.date) -> dt.date:
    """Where a last-year date lands this year: 2024-02-29 → 2025-02-28."""
    return months_later(day, 12)


def fiscal_year_start(month: dt.date, start_month: int) -> dt.date:
    year = month.year if month.month >= start_month else month.year - 1
    return dt.date(year, start_month, 1)
