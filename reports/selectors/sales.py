"""The sales report (売上集計): net sales excluding tax by one or two dimensions, with
cost, gross profit, share of the total and the same period a year earlier."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .aggregation import MEASURES, NO_FILTERS, PERIOD_DIMENSIONS, SalesFilters, net_sums
from .figures import ZERO, growth, percent
from .labels import key_text, labels_for
from .periods import month_end, month_start, year_earlier, year_later


@dataclass(slots=True)
class SalesRow:
    key: str
    label: str
    keys: list[str]
    labels: list[str]
    quantity: Decimal
    amount: Decimal
    cost: Decimal
    last_year_quantity: Decimal
    last_year_amount: Decimal
    share_pct: Decimal | None = None

    @property
    def gross_profit(self) -> Decimal:
        return self.amount - self.cost

    @property
    def gross_margin_pct(self) -> Decimal | None:
        """Gross profit as a share of sales; None where net sales are zero or negative (a
        month of more returns than sales), where a percentage would mean nothing."""
        return percent(self.gross_profit, self.amount) if self.amount > 0 else None

    @property
    def growth_pct(self) -> Decimal | None:
        return growth(self.amount, self.last_year_amount)


@dataclass
class SalesReport:
    date_from: dt.date
    date_to: dt.date
    last_year_from: dt.date
    last_year_to: dt.date
    group_by: list[str]
    rows: list[SalesRow]
    total: SalesRow


# A sales report's figures per key, in this order (`sales_report` fetches them so).
ROW_QUANTITY, ROW_AMOUNT, ROW_COST, ROW_LAST_YEAR_QUANTITY, ROW_LAST_YEAR_AMOUNT, ROW_LAST_YEAR_COST = range(6)


def _sort_key(dimension: str, key, subtotal: Decimal):
    """Periods in time order; everything else by amount, largest first, then key."""
    if dimension in PERIOD_DIMENSIONS:
        return (key,)
    return (-subtotal, key is None, str(key))


def _ordered(group_by: Sequence[str], merged: dict[tuple, Sequence[Decimal]]) -> list[tuple]:
    """The keys in report order: each level by `_sort_key`, the amounts being the
    subtotals of that level (for one dimension, the rows' own amounts)."""
    if len(group_by) == 1:
        if group_by[0] in PERIOD_DIMENSIONS:
            return sorted(merged)
        return sorted(merged, key=lambda key: (-merged[key][ROW_AMOUNT], key[0] is None, str(key[0])))
    subtotals = [defaultdict(Decimal) for _d in group_by]
    for key, values in merged.items():
        for level in range(len(group_by)):
            subtotals[level][key[: level + 1]] += values[ROW_AMOUNT]

    def order(key):
        return tuple(
            part
            for level, dimension in enumerate(group_by)
            for part in _sort_key(dimension, key[level], subtotals[level][key[: level + 1]])
        )

    return sorted(merged, key=order)


def _merged(group_by: Sequence[str], sums: dict[tuple, Sequence[Decimal]]) -> dict[tuple, Sequence[Decimal]]:
    """The six figures per row key; a key whose six figures are all zero has no row.
    Last year's period keys move to the date they compare with (2024-03 → 2025-03)."""
    moved = [d in PERIOD_DIMENSIONS for d in group_by]
    if not any(moved):
        return {key: figures for key, figures in sums.items() if any(figures)}
    merged: dict[tuple, list[Decimal]] = {}
    for key, figures in sums.items():
        if any(figures[:3]):
            target = merged.setdefault(key, [ZERO] * 6)
            target[ROW_QUANTITY] += figures[ROW_QUANTITY]
            target[ROW_AMOUNT] += figures[ROW_AMOUNT]
            target[ROW_COST] += figures[ROW_COST]
        if any(figures[3:]):
            later = tuple((year_later(k) if m else k) for m, k in zip(moved, key, strict=True))
            target = merged.setdefault(later, [ZERO] * 6)
            target[ROW_LAST_YEAR_QUANTITY] += figures[ROW_LAST_YEAR_QUANTITY]
            target[ROW_LAST_YEAR_AMOUNT] += figures[ROW_LAST_YEAR_AMOUNT]
    return merged


def sales_report(
    *,
    user,
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str],
    filters: SalesFilters = NO_FILTERS,
    limit: int | None = None,
) -> SalesReport:
    """Net sales excluding tax grouped by one or two dimensions, with cost, gross profit,
    share of the total and the same period a year earlier. The total row is the sum of
    the rows. One query per source plus one per named dimension (labels).

    A month by product has thousands of rows, so the rows are built in one pass over
    plain lists (bench/reports.py times it beside the bare SQL)."""
    current = (date_from, date_to)
    last_year = (year_earlier(date_from), year_earlier(date_to))
    # This period's quantity, amount and cost, then last year's.
    sums = net_sums(
        user=user,
        dimensions=group_by,
        columns=[*((current, m) for m in MEASURES), *((last_year, m) for m in MEASURES)],
        filters=filters,
    )
    merged = _merged(group_by, sums)
    totals = [sum(column, ZERO) for column in zip(*merged.values(), strict=True)] if merged else [ZERO] * 6
    total_amount = totals[ROW_AMOUNT]

    labels = [labels_for(d, (key[i] for key in merged)) for i, d in enumerate(group_by)]
    rows = []
    append = rows.append
    single = len(group_by) == 1
    dimension, names_of = group_by[0], labels[0]
    for key in _ordered(group_by, merged):
        if single:
            part = key[0]
            text = key_text(dimension, part)
            name = names_of[part] if part in names_of else str(part)
            keys, names = [text], [name]
        else:
            keys = [key_text(d, k) for d, k in zip(group_by, key, strict=True)]
            names = [labels[i][k] if k in labels[i] else str(k) for i, k in enumerate(key)]
            text, name = ",".join(keys), " / ".join(names)
        quantity, amount, cost, last_year_quantity, last_year_amount, _last_year_cost = merged[key]
        append(
            SalesRow(
                key=text,
                label=name,
                keys=keys,
                labels=names,
                quantity=quantity,
                amount=amount,
                cost=cost,
                last_year_quantity=last_year_quantity,
                last_year_amount=last_year_amount,
                share_pct=percent(amount, total_amount),
            )
        )
    total = SalesRow(
        key="",
        label=_("Total"),
        keys=[],
        labels=[],
        quantity=totals[ROW_QUANTITY],
        amount=total_amount,
        cost=totals[ROW_COST],
        last_year_quantity=totals[ROW_LAST_YEAR_QUANTITY],
        last_year_amount=totals[ROW_LAST_YEAR_AMOUNT],
        share_pct=Decimal("100.0") if total_amount else None,
    )
    if limit is not None:
        rows = rows[:limit]
    return SalesReport(
        date_from=date_from,
        date_to=date_to,
        last_year_from=last_year[0],
        last_year_to=last_year[1],
        group_by=list(group_by),
        rows=rows,
        total=total,
    )


def monthly_net_sales(*, user, first_month: dt.date, last_month: dt.date) -> dict[dt.date, Decimal]:
    """Net sales excluding tax per month (keyed by its first day) from `first_month` to
    `last_month`, as `sales_report` by month counts them; a month without sales is absent.
    One query per source with the one amount, summed per day in the database and per month
    here: cheaper than the report's six figures per month, for a chart of a year beside
    the year before (two years of lines)."""
    sums = net_sums(
        user=user,
        dimensions=["day"],
        columns=[((month_start(first_month), month_end(last_month)), "amount")],
        filters=NO_FILTERS,
    )
    months: dict[dt.date, Decimal] = {}
    for (day,), (amount,) in sums.items():
        month = month_start(day)
        months[month] = months.get(month, ZERO) + amount
    return months
