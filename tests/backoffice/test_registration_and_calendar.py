import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from backoffice.businessdays import (
    HolidayRule,
    add_business_days,
    closing_date_for,
    due_date,
    is_bank_holiday,
)
from backoffice.registration import validate_registration_number


@pytest.mark.parametrize("number", ["T7000012050002", "T4011001098993"])
def test_valid_registration_numbers(number):
    validate_registration_number(number)


def test_wrong_check_digit_is_named_in_the_message():
    with pytest.raises(ValidationError) as excinfo:
        validate_registration_number("T1234567890123")
    assert excinfo.value.code == "check_digit"
    assert "T9" in str(excinfo.value.messages[0])


@pytest.mark.parametrize("number", ["7000012050002", "T700001205000", "T70000120500021", "t7000012050002", ""])
def test_malformed_registration_numbers(number):
    with pytest.raises(ValidationError) as excinfo:
        validate_registration_number(number)
    assert excinfo.value.code == "format"


def test_bank_holidays():
    assert is_bank_holiday(dt.date(2026, 12, 31))  # year-end
    assert is_bank_holiday(dt.date(2027, 1, 11))  # 成人の日
    assert is_bank_holiday(dt.date(2026, 11, 23))  # 勤労感謝の日
    assert is_bank_holiday(dt.date(2026, 11, 21))  # Saturday
    assert not is_bank_holiday(dt.date(2026, 11, 24))


def test_month_end_next_month_end_for_november_2026():
    # 末締め翌月末払い: 12/31 is a bank holiday
    assert due_date(dt.date(2026, 11, 30), payment_month_offset=1, payment_day=31) == dt.date(2026, 12, 30)
    assert due_date(dt.date(2026, 11, 30), payment_month_offset=1, payment_day=31, rule=HolidayRule.NEXT) == dt.date(
        2027, 1, 4
    )


def test_two_months_later_tenth():
    # 翌々月10日 from 2026-11-30: 2027-01-10 is a Sunday and 01-11 成人の日
    assert due_date(dt.date(2026, 11, 30), payment_month_offset=2, payment_day=10) == dt.date(2027, 1, 8)
    assert due_date(dt.date(2026, 11, 30), payment_month_offset=2, payment_day=10, rule="next") == dt.date(2027, 1, 12)


def test_twentieth_closing_next_month_end_and_february():
    assert due_date(dt.date(2027, 1, 20), payment_month_offset=1, payment_day=31) == dt.date(2027, 2, 26)  # 2/28 Sunday
    assert closing_date_for(dt.date(2027, 2, 15), 31) == dt.date(2027, 2, 28)
    assert closing_date_for(dt.date(2026, 11, 21), 20) == dt.date(2026, 12, 20)


def test_add_business_days_skips_weekends_and_holidays():
    # Fri 2026-11-20 + 1 business day: Sat, Sun, Mon 11/23 holiday -> Tue 11/24
    assert add_business_days(dt.date(2026, 11, 20), 1) == dt.date(2026, 11, 24)
    # Mon 12/28 + 3: 12/29, 12/30, then the year-end break 12/31-1/3 -> Mon 1/4
    assert add_business_days(dt.date(2026, 12, 28), 3) == dt.date(2027, 1, 4)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("0188:7010001008844", None),
        ("0221:T7010001008844", None),
        ("0188:8010001008844", "check_digit"),  # 法人番号 with a wrong check digit
        ("0221:7010001008844", "format"),  # a registration number starts with T
        ("9999:7010001008844", "format"),  # not a Japanese scheme
        ("7010001008844", "format"),
    ],
)
def test_peppol_ids_are_a_japanese_scheme_and_a_valid_number(value, error):
    from backoffice.registration import validate_peppol_id

    if error is None:
        validate_peppol_id(value)
    else:
        with pytest.raises(ValidationError) as raised:
            validate_peppol_id(value)
        assert raised.value.code == error
