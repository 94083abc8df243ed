"""The report periods, on backoffice's month arithmetic: a day past a shorter month's end
clamps to it, and a month end a year earlier is that month's end."""

import datetime as dt

import pytest

from reports.selectors import month_end, months_later, year_earlier, year_later


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 2, 1), -11, dt.date(2025, 3, 1)),
        (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 15)),
        (dt.date(2016, 2, 29), 120, dt.date(2026, 2, 28)),
    ],
)
def test_months_later_clamps_to_the_months_end(day, months, expected):
    assert months_later(day, months) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 2, 28), dt.date(2024, 2, 29)),  # a month end stays a month end
        (dt.date(2024, 2, 29), dt.date(2023, 2, 28)),
        (dt.date(2026, 1, 15), dt.date(2025, 1, 15)),
        (dt.date(2026, 1, 31), dt.date(2025, 1, 31)),
    ],
)
def test_year_earlier(day, expected):
    assert year_earlier(day) == expected


def test_year_later_lands_on_this_years_date():
    assert year_later(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert year_later(dt.date(2025, 1, 1)) == dt.date(2026, 1, 1)


def test_month_end():
    assert [month_end(dt.date(2026, m, 10)).day for m in (1, 2, 4, 12)] == [31, 28, 30, 31]
