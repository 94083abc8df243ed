"""Dates and wording of a contract's term: renewal across month ends and leap years, the
notice date, the payment terms as the contract states them."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day
    (2026-01-31 + 1 month = 2026-02-28; 2024-02-29 + 12 months = 2025-02-28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_end(starts_on: dt.date, months: int) -> dt.date:
    """The last day of a term of `months` months starting on `starts_on`: the day before the
    same date `months` later (2026-04-01, 12 months → 2027-03-31)."""
    return add_months(starts_on, months) - dt.timedelta(days=1)


def renewed_end(current_end: dt.date, months: int) -> dt.date:
    """The end of the term renewed by `months` months: the renewed term starts the day after
    the current end, so a term ending on a month's last day ends on a month's last day again
    (2026-02-28 + 12 months → 2027-02-28; 2027-02-28 + 12 → 2028-02-29; 2026-04-30 + 1 → 2026-05-31)."""
    return term_end(current_end + dt.timedelta(days=1), months)


def notice_date(end: dt.date, notice_days: int) -> dt.date | None:
    """The last day on which notice stops the renewal: `notice_days` days before the end."""
    if not notice_days:
        return None
    return end - dt.timedelta(days=notice_days)


def term_months(starts_on: dt.date, ends_on: dt.date) -> int:
    """The term in months, a part month counted whole (2026-04-01 – 2026-06-30 is 3)."""
    months = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month
    if term_end(starts_on, months) < ends_on:
        months += 1
    return max(months, 1)


def payment_terms_text(*, closing_day: int, payment_month_offset: int, payment_day: int) -> str:
    """「毎月末日締め、翌月末日払い」, 「毎月20日締め、翌々月10日払い」: as a contract states them."""
    closing = "末日" if closing_day == 31 else f"{closing_day}日"
    month = {0: "当月", 1: "翌月", 2: "翌々月"}.get(payment_month_offset, f"{payment_month_offset}か月後の月")
    day = "末日" if payment_day == 31 else f"{payment_day}日"
    return f"毎月{closing}締め、{month}{day}払い"
