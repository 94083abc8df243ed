"""Numbers as people read them, in one place: PDFs, messages, notes, screens and exports.

A yen amount is whole yen with thousands separated, the sign before the yen mark:
¥1,234,567, -¥1,234. A percentage or a quantity is printed in plain decimal notation with no trailing
zeros: 10%, 12.5%, 0%, 100%, 1,200. Never `Decimal.normalize()`, which turns 10.00
into 1E+1.
"""

from __future__ import annotations

from decimal import Decimal


def number(value: int | Decimal | str | None, *, grouping: bool = True) -> str:
    """A quantity or rate for people: 10, 12.5, 0, 1,200 (thousands separated unless
    `grouping` is False); "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        raise TypeError("numbers for people are Decimal or int, never float")
    text = format(Decimal(value), ",f" if grouping else "f")  # "f": fixed point, never an exponent
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def percent(value: int | Decimal | str | None) -> str:
    """A percentage for people: 10%, 12.5%, 0%, 100%; "" for None."""
    text = number(value, grouping=False)
    return f"{text}%" if text else ""


def yen(value: int | Decimal | str | None) -> str:
    """A yen amount for people: ¥1,234,567, -¥1,234 (whole yen); "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        raise TypeError("amounts are Decimal or int, never float")
    amount = Decimal(value)
    return f"-¥{-amount:,.0f}" if amount < 0 else f"¥{abs(amount):,.0f}"  # abs: -0 is ¥0
