import datetime as dt

import pytest

from contracts.terms import add_months, notice_date, payment_terms_text, renewed_end, term_end, term_months

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("end", "months", "expected"),
    [
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 4, 30), 1, D(2026, 5, 31)),  # a month-end term stays at month ends
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2027, 2, 28), 12, D(2028, 2, 29)),  # into a leap year
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2027, 11, 30), 12, D(2028, 11, 30)),
        (D(2026, 12, 14), 6, D(2027, 6, 14)),
    ],
)
def test_renewal_starts_the_day_after_the_end(end, months, expected):
    assert renewed_end(end, months) == expected


def test_term_end_and_months():
    assert term_end(D(2026, 4, 1), 12) == D(2027, 3, 31)
    assert term_end(D(2024, 3, 1), 12) == D(2025, 2, 28)
    assert term_months(D(2026, 4, 1), D(2026, 6, 30)) == 3
    assert term_months(D(2026, 4, 1), D(2026, 7, 1)) == 4
    assert term_months(D(2026, 12, 1), D(2027, 11, 30)) == 12


def test_notice_date_and_payment_terms():
    assert notice_date(D(2027, 3, 31), 90) == D(2026, 12, 31)
    assert notice_date(D(2027, 3, 31), 0) is None
    assert payment_terms_text(closing_day=31, payment_month_offset=1, payment_day=31) == "毎月末日締め、翌月末日払い"
    assert payment_terms_text(closing_day=20, payment_month_offset=2, payment_day=10) == "毎月20日締め、翌々月10日払い"
