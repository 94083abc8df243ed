"""Bank business days in Japan and the payment due dates that depend on them.

A bank holiday is a Saturday, Sunday, national holiday (jpholiday keeps the
list, including substitute holidays) or the year-end break 12/31-1/3.
"""

from __future__ import annotations

import calendar
import datetime as dt

import jpholiday
from django.db import models
from django.utils.translation import gettext_lazy as _

MONTH_END = 31


class HolidayRule(models.TextChoices):
    PREVIOUS = "previous", _("previous business day")
    NEXT = "next", _("next business day")


def is_bank_holiday(day: dt.date) -> bool:
    if day.weekday() >= 5:
        return True
    if (day.month, day.day) in {(12, 31), (1, 1), (1, 2), (1, 3)}:
        return True
    return jpholiday.is_holiday(day)


def is_business_day(day: dt.date) -> bool:
    return not is_bank_holiday(day)


def adjust_to_business_day(day: dt.date, rule: str = HolidayRule.PREVIOUS) -> dt.date:
    step = dt.timedelta(days=-1 if HolidayRule(rule) == HolidayRule.PREVIOUS else 1)
    while is_bank_holiday(day):
        day += step
    return day


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The date `count` business days after `day` (count 0 = day itself, moved forward if a holiday)."""
    day = adjust_to_business_day(day, HolidayRule.NEXT)
    while count > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def day_of_month(year: int, month: int, day: int) -> dt.date:
    """Day `day` of a month; 31 (or anything past the month's end) means its last day."""
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day, last))


def add_months(year: int, month: int, offset: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + offset
    return index // 12, index % 12 + 1


def closing_date_for(day: dt.date, closing_day: int) -> dt.date:
    """The first closing date on or after `day` for a customer closing on `closing_day` (31 = month end)."""
    this_month = day_of_month(day.year, day.month, closing_day)
    if day <= this_month:
        return this_month
    year, month = add_months(day.year, day.month, 1)
    return day_of_month(year, month, closing_day)


def is_closing_date(day: dt.date, closing_day: int) -> bool:
    return closing_date_for(day, closing_day) == day


def due_date(
    base_date: dt.date,
    *,
    payment_month_offset: int,
    payment_day: int,
    rule: str = HolidayRule.PREVIOUS,
) -> dt.date:
    """Payment due date: `payment_day` (31 = month end) of the month `payment_month_offset`
    months after the base date's month (the closing date, or the invoice date), moved off
    bank holidays by the company's rule. 末締め翌月末払い: offset 1, day 31."""
    year, month = add_months(base_date.year, base_date.month, payment_month_offset)
    due = day_of_month(year, month, payment_day)
    if due < base_date:  # e.g. offset 0 with a payment day before the closing day
        year, month = add_months(year, month, 1)
        due = day_of_month(year, month, payment_day)
    return adjust_to_business_day(due, rule)
