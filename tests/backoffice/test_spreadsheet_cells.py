"""Every CSV and xlsx we write neutralises cells a spreadsheet would run as a formula (issue #16)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from backoffice.csvfiles import csv_text, spreadsheet_cell

ATTACK = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (ATTACK, "'" + ATTACK),
        ("+81-3-1234", "'+81-3-1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("株式会社=山田", "株式会社=山田"),
        ("-1200", "-1200"),  # a number written as text stays a number
        ("-12.5", "-12.5"),
        (Decimal("-440"), Decimal("-440")),
        (-3, -3),
        (None, ""),
        (dt.date(2026, 12, 3), "2026-12-03"),
    ],
)
def test_spreadsheet_cell(value, written):
    assert spreadsheet_cell(value) == written


def test_csv_text_quotes_formulas_in_header_and_rows():
    text = csv_text([[ATTACK, Decimal("-5"), "-5"]], header=["=H1", "b", "c"])

    assert list(csv.reader(io.StringIO(text))) == [["'=H1", "b", "c"], ["'" + ATTACK, "-5", "-5"]]
    assert text.endswith("\r\n")
