"""Ratios as every report states them: rounded half up, None where the base is zero."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def fraction(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part / whole).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def growth(now: Decimal, before: Decimal) -> Decimal | None:
    if not before:
        return None
    return percent(now - before, abs(before))
