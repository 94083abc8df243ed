"""Money and consumption-tax maths, pure and in one place.

Amounts are Decimal yen. A line amount is quantity x unit price rounded to the
yen by the company's rounding mode. Consumption tax is computed once per tax rate
per document, on the sum of that rate's line amounts (the qualified-invoice rule),
never per line. Rates are whole percents (10, 8, 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, ROUND_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

YEN = Decimal("1")
ZERO = Decimal("0")


class RoundingMode(models.TextChoices):
    DOWN = "down", _("round down (切り捨て)")
    HALF_UP = "half_up", _("round half up (四捨五入)")
    UP = "up", _("round up (切り上げ)")


class TaxMode(models.TextChoices):
    EXCLUSIVE = "exclusive", _("tax exclusive (外税)")
    INCLUSIVE = "inclusive", _("tax inclusive (内税)")


class TaxCategory(models.TextChoices):
    STANDARD = "standard", _("standard rate 10%")
    REDUCED = "reduced", _("reduced rate 8%")
    EXEMPT = "exempt", _("exempt / out of scope 0%")


# The rate each category carries today. A document line stores the rate it was
# written with, so a later change here never alters an issued document.
TAX_RATES: dict[str, int] = {
    TaxCategory.STANDARD: 10,
    TaxCategory.REDUCED: 8,
    TaxCategory.EXEMPT: 0,
}
REDUCED_RATES = frozenset({8})

_DECIMAL_ROUNDING = {
    RoundingMode.DOWN: ROUND_DOWN,
    RoundingMode.HALF_UP: ROUND_HALF_UP,
    RoundingMode.UP: ROUND_UP,
}


def quantize_yen(value: Decimal, mode: str = RoundingMode.DOWN) -> Decimal:
    """Round to whole yen. ROUND_DOWN/ROUND_UP act on the magnitude, so a
    negative amount (a credit) rounds symmetrically with its positive twin."""
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be Decimal, got {type(value).__name__}")
    return value.quantize(YEN, rounding=_DECIMAL_ROUNDING[RoundingMode(mode)])


def tax_rate_for(category: str) -> int:
    return TAX_RATES[TaxCategory(category)]


def line_amount(
    quantity: int | Decimal,
    unit_price: Decimal,
    mode: str = RoundingMode.DOWN,
    discount_rate: Decimal = ZERO,
) -> Decimal:
    """quantity x unit price, less a percentage discount, rounded once to the yen."""
    gross = Decimal(quantity) * unit_price
    if discount_rate:
        gross = gross * (Decimal(100) - discount_rate) / Decimal(100)
    return quantize_yen(gross, mode)


def apply_price_rate(list_price: Decimal, price_rate: Decimal, mode: str = RoundingMode.DOWN) -> Decimal:
    """A customer's unit price from the list price and their rate (掛率, e.g. 0.85), to the yen."""
    return quantize_yen(list_price * price_rate, mode)


@dataclass(frozen=True)
class TaxLine:
    rate: int
    subtotal: Decimal  # excluding tax
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax

    @property
    def is_reduced(self) -> bool:
        return self.rate in REDUCED_RATES

    def as_dict(self) -> dict:
        return {"rate": self.rate, "subtotal": self.subtotal, "tax": self.tax, "total": self.total}


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal  # excluding tax
    tax_total: Decimal
    total: Decimal
    breakdown: tuple[TaxLine, ...]

    def as_dict(self) -> dict:
        return {
            "subtotal": self.subtotal,
            "tax_total": self.tax_total,
            "total": self.total,
            "tax_breakdown": [line.as_dict() for line in self.breakdown],
        }


def tax_on(amount: Decimal, rate: int, mode: str, tax_mode: str = TaxMode.EXCLUSIVE) -> Decimal:
    """Tax on one rate's summed amount. Exclusive: amount x rate / 100.
    Inclusive (the amount already contains tax): amount x rate / (100 + rate)."""
    rate_d = Decimal(rate)
    if TaxMode(tax_mode) == TaxMode.INCLUSIVE:
        return quantize_yen(amount * rate_d / (Decimal(100) + rate_d), mode)
    return quantize_yen(amount * rate_d / Decimal(100), mode)


def compute_totals(
    lines: Iterable[tuple[int, Decimal]],
    *,
    mode: str = RoundingMode.DOWN,
    tax_mode: str = TaxMode.EXCLUSIVE,
) -> Totals:
    """Totals for a document from (tax rate, line amount) pairs.

    Line amounts are tax-exclusive for TaxMode.EXCLUSIVE and tax-inclusive for
    TaxMode.INCLUSIVE. Tax is rounded once per rate on that rate's sum. The
    breakdown is ordered by rate, highest first, as Japanese documents list it.
    """
    sums: dict[int, Decimal] = {}
    for rate, amount in lines:
        sums[int(rate)] = sums.get(int(rate), ZERO) + amount
    inclusive = TaxMode(tax_mode) == TaxMode.INCLUSIVE
    breakdown = []
    for rate in sorted(sums, reverse=True):
        amount = sums[rate]
        tax = tax_on(amount, rate, mode, tax_mode)
        subtotal = amount - tax if inclusive else amount
        breakdown.append(TaxLine(rate=rate, subtotal=subtotal, tax=tax))
    subtotal = sum((b.subtotal for b in breakdown), ZERO)
    tax_total = sum((b.tax for b in breakdown), ZERO)
    return Totals(subtotal=subtotal, tax_total=tax_total, total=subtotal + tax_total, breakdown=tuple(breakdown))


def net_amounts(
    lines: Sequence[tuple[int, Decimal]],
    *,
    mode: str = RoundingMode.DOWN,
    tax_mode: str = TaxMode.EXCLUSIVE,
) -> list[Decimal]:
    """Each line's amount excluding tax, as the document that taxes these (tax rate, line
    amount) pairs states it: per rate the lines add up to that rate's subtotal in
    compute_totals, to the yen.

    Tax-exclusive lines are their amounts. For tax-inclusive lines the rate's tax,
    extracted once on the rate's sum, is shared among its lines in proportion to their
    amounts, the yen left after flooring going to the largest remainders (earlier lines
    first on a tie): no line is more than a yen from its exact share, and a report that
    sums these lines in any grouping agrees with the document."""
    if TaxMode(tax_mode) == TaxMode.EXCLUSIVE:
        return [amount for _rate, amount in lines]
    totals = compute_totals(lines, mode=mode, tax_mode=tax_mode)
    tax_of = {b.rate: b.tax for b in totals.breakdown}
    by_rate: dict[int, list[int]] = {}
    for index, (rate, _amount) in enumerate(lines):
        by_rate.setdefault(int(rate), []).append(index)
    nets: list[Decimal] = [ZERO] * len(lines)
    for rate, indexes in by_rate.items():
        tax, whole = tax_of[rate], sum((lines[i][1] for i in indexes), ZERO)
        shares = {i: (tax * lines[i][1] / whole if whole else ZERO) for i in indexes}
        taxes = {i: share.to_integral_value(rounding=ROUND_FLOOR) for i, share in shares.items()}
        left = int(tax - sum(taxes.values(), ZERO))
        for i in sorted(indexes, key=lambda i: (taxes[i] - shares[i], i))[:left]:
            taxes[i] += 1
        for i in indexes:
            nets[i] = lines[i][1] - taxes[i]
    return nets
