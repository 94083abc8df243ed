"""The stamp duty table (contracts.stamp_duty) on every boundary of 印紙税法 別表第一."""

import datetime as dt
from decimal import Decimal

import pytest

from contracts.models import StampClass
from contracts.stamp_duty import stamp_duty_for

MADE = dt.date(2026, 12, 4)


def duty(stamp_class, amount, *, on_paper=True, made_on=MADE, construction=False, months=12, renews=False):
    value = None if amount is None else Decimal(amount)
    return stamp_duty_for(
        stamp_class=stamp_class,
        amount=value,
        on_paper=on_paper,
        made_on=made_on,
        is_construction=construction,
        term_months=months,
        renews=renews,
    ).amount


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (None, 200),  # 契約金額の記載のないもの
        (0, 0),
        (9_999, 0),  # 1万円未満 非課税
        (10_000, 200),
        (1_000_000, 200),
        (1_000_001, 400),
        (2_000_000, 400),
        (2_000_001, 1_000),
        (3_000_000, 1_000),
        (3_000_001, 2_000),
        (5_000_000, 2_000),
        (5_000_001, 10_000),
        (10_000_000, 10_000),
        (10_000_001, 20_000),
        (50_000_000, 20_000),
        (50_000_001, 60_000),
        (100_000_000, 60_000),
        (100_000_001, 100_000),
        (500_000_000, 100_000),
        (500_000_001, 200_000),
        (1_000_000_000, 200_000),
        (1_000_000_001, 400_000),
        (5_000_000_000, 400_000),
        (5_000_000_001, 600_000),
    ],
)
def test_no2_contract_for_work_by_amount(amount, expected):
    assert duty(StampClass.NO2, amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (9_999, 0),
        (10_000, 200),
        (1_000_000, 200),  # 100万円以下: no reduction
        (1_000_001, 200),  # 本則 400
        (2_000_000, 200),
        (2_000_001, 500),
        (3_000_000, 500),
        (3_000_001, 1_000),
        (5_000_000, 1_000),
        (5_000_001, 5_000),
        (10_000_000, 5_000),
        (10_000_001, 10_000),
        (50_000_000, 10_000),
        (50_000_001, 30_000),
        (100_000_000, 30_000),
        (100_000_001, 60_000),
        (500_000_000, 60_000),
        (500_000_001, 160_000),
        (1_000_000_000, 160_000),
        (1_000_000_001, 320_000),
        (5_000_000_000, 320_000),
        (5_000_000_001, 480_000),
    ],
)
def test_no2_construction_reduced_rates(amount, expected):
    assert duty(StampClass.NO2, amount, construction=True) == expected


@pytest.mark.parametrize(
    ("made_on", "expected"),
    [
        (dt.date(2014, 3, 31), 1_000),  # before the reduction
        (dt.date(2014, 4, 1), 500),
        (dt.date(2027, 3, 31), 500),  # the last day of the reduction as extended
        (dt.date(2027, 4, 1), 1_000),
    ],
)
def test_the_construction_reduction_applies_to_contracts_made_in_its_period(made_on, expected):
    assert duty(StampClass.NO2, 2_500_000, construction=True, made_on=made_on) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (None, 200),
        (9_999, 0),
        (10_000, 200),
        (100_000, 200),
        (100_001, 400),
        (500_000, 400),
        (500_001, 1_000),
        (1_000_000, 1_000),
        (1_000_001, 2_000),
        (5_000_000, 2_000),
        (5_000_001, 10_000),
        (10_000_000, 10_000),
        (10_000_001, 20_000),
        (50_000_000, 20_000),
        (50_000_001, 60_000),
        (100_000_000, 60_000),
        (100_000_001, 100_000),
        (500_000_000, 100_000),
        (500_000_001, 200_000),
        (1_000_000_000, 200_000),
        (1_000_000_001, 400_000),
        (5_000_000_000, 400_000),
        (5_000_000_001, 600_000),
    ],
)
def test_no1_by_amount(amount, expected):
    assert duty(StampClass.NO1, amount) == expected


@pytest.mark.parametrize(
    ("months", "renews", "expected"),
    [
        (12, False, 4_000),
        (4, False, 4_000),
        (3, False, 0),  # 3か月以内で更新の定めなし: not a 第7号文書
        (3, True, 4_000),
        (1, True, 4_000),
    ],
)
def test_no7_basic_contract_is_4000_yen_unless_three_months_without_renewal(months, renews, expected):
    assert duty(StampClass.NO7, None, months=months, renews=renews) == expected


def test_an_electronic_contract_needs_no_stamp_and_says_why():
    result = stamp_duty_for(
        stamp_class=StampClass.NO7, amount=None, on_paper=False, made_on=MADE, term_months=12, renews=True
    )
    assert result.amount == 0
    assert result.text == "電子契約のため印紙税は不要（電磁的記録は課税文書に当たりません）"


def test_a_non_taxable_contract_and_the_printed_text():
    assert duty(StampClass.NONE, 50_000_000) == 0
    printed = stamp_duty_for(stamp_class=StampClass.NO7, amount=None, on_paper=True, made_on=MADE, term_months=12)
    assert printed.text == "第7号文書（継続的取引の基本となる契約書）：4,000円"
