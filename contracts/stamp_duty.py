"""Stamp duty (印紙税) on a contract printed on paper: the revenue stamp (収入印紙) it needs.

The one table of the product. Amounts from 印紙税法 別表第一 (課税物件表) and, for
construction contracts, 租税特別措置法 第91条 (the reduced rates):

- 国税庁 タックスアンサー No.7140 「印紙税額の一覧表（その1）第1号文書から第4号文書まで」
  https://www.nta.go.jp/taxes/shiraberu/taxanswer/inshi/7140.htm
- 国税庁 タックスアンサー No.7141 「印紙税額の一覧表（その2）第5号文書から第20号文書まで」
  https://www.nta.go.jp/taxes/shiraberu/taxanswer/inshi/7141.htm
- 国税庁 「不動産譲渡契約書及び建設工事請負契約書の印紙税の軽減措置」
  https://www.nta.go.jp/taxes/shiraberu/taxanswer/inshi/7108.htm ; the extension to
  contracts made by 2027-03-31 (令和6年度税制改正) as restated by 富山市「印紙税の軽減措置の
  延長及び拡充」 (updated 2024-04-09).
- 印紙税法施行令 第26条: a 継続的取引の基本となる契約書 whose term is at most three months and
  has no renewal clause is not a 第7号文書.
- 印紙税法基本通達 第44条 and the NTA's answers on electronic contracts: a contract made and
  kept as an electronic record is not a 課税文書 and needs no stamp.

Checked 2026-12-04. The amount is the contract amount excluding consumption tax when the
tax is stated separately (消費税額等が区分記載されている場合: 国税庁 消費税法改正等に伴う
印紙税の取扱い), which is how contracts here state it. Tested on every boundary
(tests/contracts/test_stamp_duty.py). When the law changes, change this table, its date
and its tests together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .models import StampClass

SOURCE_CHECKED_ON = dt.date(2026, 12, 4)

MAN = 10_000  # 1万円
OKU = 100_000_000  # 1億円

# (upper bound of the amount, inclusive, in yen; duty). Below 1万円 nothing is due (非課税).
NO1_RATES: tuple[tuple[int | None, int], ...] = (
    (10 * MAN, 200),
    (50 * MAN, 400),
    (100 * MAN, 1_000),
    (500 * MAN, 2_000),
    (1_000 * MAN, 10_000),
    (5_000 * MAN, 20_000),
    (1 * OKU, 60_000),
    (5 * OKU, 100_000),
    (10 * OKU, 200_000),
    (50 * OKU, 400_000),
    (None, 600_000),
)
NO2_RATES: tuple[tuple[int | None, int], ...] = (
    (100 * MAN, 200),
    (200 * MAN, 400),
    (300 * MAN, 1_000),
    (500 * MAN, 2_000),
    (1_000 * MAN, 10_000),
    (5_000 * MAN, 20_000),
    (1 * OKU, 60_000),
    (5 * OKU, 100_000),
    (10 * OKU, 200_000),
    (50 * OKU, 400_000),
    (None, 600_000),
)
# 建設工事の請負に関する契約書 made 2014-04-01 .. 2027-03-31 with an amount over 100万円.
NO2_CONSTRUCTION_REDUCED: tuple[tuple[int | None, int], ...] = (
    (200 * MAN, 200),
    (300 * MAN, 500),
    (500 * MAN, 1_000),
    (1_000 * MAN, 5_000),
    (5_000 * MAN, 10_000),
    (1 * OKU, 30_000),
    (5 * OKU, 60_000),
    (10 * OKU, 160_000),
    (50 * OKU, 320_000),
    (None, 480_000),
)
REDUCED_FROM, REDUCED_UNTIL = dt.date(2014, 4, 1), dt.date(2027, 3, 31)
REDUCED_ABOVE = 100 * MAN
NO7_DUTY = 4_000
NO_AMOUNT_DUTY = 200  # 第1号・第2号 with no amount stated (契約金額の記載のないもの)
TAXABLE_FROM = 1 * MAN


@dataclass(frozen=True)
class StampDuty:
    amount: Decimal
    basis: str  # why, as printed on the contract and its page

    @property
    def text(self) -> str:
        return f"{self.basis}：{self.amount:,}円" if self.amount else self.basis


def _from_table(table: tuple[tuple[int | None, int], ...], amount: Decimal) -> int:
    for upper, duty in table:
        if upper is None or amount <= upper:
            return duty
    raise AssertionError("the last row has no upper bound")


def stamp_duty_for(
    *,
    stamp_class: str,
    amount: Decimal | None,
    on_paper: bool,
    made_on: dt.date,
    is_construction: bool = False,
    term_months: int | None = None,
    renews: bool = False,
) -> StampDuty:
    """The revenue stamp a contract needs. `amount`: the contract amount excluding tax (None:
    none stated); `made_on`: the day the document is made (the reduced rates depend on it);
    `term_months`: the contract's term in whole months, rounded up (第7号 needs more than 3
    or a renewal clause)."""
    if not on_paper:
        return StampDuty(Decimal(0), "電子契約のため印紙税は不要（電磁的記録は課税文書に当たりません）")
    if stamp_class == StampClass.NONE:
        return StampDuty(Decimal(0), "不課税文書")
    if stamp_class == StampClass.NO7:
        if term_months is not None and term_months <= 3 and not renews:
            return StampDuty(Decimal(0), "契約期間3か月以内で更新の定めがないため第7号文書に当たらず不課税")
        return StampDuty(Decimal(NO7_DUTY), "第7号文書（継続的取引の基本となる契約書）")
    label = "第1号文書" if stamp_class == StampClass.NO1 else "第2号文書（請負に関する契約書）"
    if amount is None:
        return StampDuty(Decimal(NO_AMOUNT_DUTY), f"{label} 契約金額の記載なし")
    if amount < TAXABLE_FROM:
        return StampDuty(Decimal(0), f"{label} 契約金額1万円未満のため非課税")
    if stamp_class == StampClass.NO1:
        return StampDuty(Decimal(_from_table(NO1_RATES, amount)), label)
    if is_construction and amount > REDUCED_ABOVE and REDUCED_FROM <= made_on <= REDUCED_UNTIL:
        duty = _from_table(NO2_CONSTRUCTION_REDUCED, amount)
        return StampDuty(Decimal(duty), f"{label} 建設工事の軽減税率（租税特別措置法第91条）")
    return StampDuty(Decimal(_from_table(NO2_RATES, amount)), label)
