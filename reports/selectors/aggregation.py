"""Net sales per group key and period, read from orders and billing through the ORM.

Sales are recognised when goods ship (出荷基準): a shipped shipment's lines count on
their shipping date. A credit note (返品・値引) counts against sales on its own issue
date, not the original sale's. Amounts exclude tax: each line's `net_amount`, as the
document that taxes it states it (the invoice that bills a shipment line, the delivery
note until then, the credit note for its lines). For a tax-inclusive (内税) customer the
tax is extracted once per rate per document and shared among its lines, so every
grouping adds up the same stored line values and a period that covers whole invoices
agrees with the invoices and the journal to the yen. Cost is quantity × the unit cost
recorded on the shipment line when it shipped; the rep and the tax mode are those
recorded on the shipment, so reassigning a customer does not move past sales.

Why no summary table: each report is one GROUP BY per source (shipments, credit
notes), with both periods it compares (this period and last year, or the month and
the year to date) summed in the same statement by conditional aggregation, so the
number of queries does not depend on the number of rows, and the one-month queries
use the index on shipments' shipped_on. The same querysets run on SQLite and
PostgreSQL: the figures the tests check are the figures production computes.
bench/reports.py measures this at a million lines next to the bare SQL.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat, TruncMonth

from backoffice.roles import restrict_to_own_customers
from billing.selectors import credit_note_lines
from inventory.selectors import shipment_moves
from orders.selectors import shipped_lines

from .figures import ZERO

MONEY = DecimalField(max_digits=16, decimal_places=0)
COST = DecimalField(max_digits=18, decimal_places=2)

PERIOD_DIMENSIONS = ("month", "day")
DIMENSIONS = ("month", "day", "product", "customer", "rep", "category")
MEASURES = ("quantity", "amount", "cost")
MAX_ROWS = 10_000

Period = tuple[dt.date, dt.date]


class TooManyRows(Exception):
    """More groups than a report shows: narrow the range or the grouping."""


@dataclass(frozen=True)
class Source:
    """One kind of sales line and the paths from it to what the reports group by.
    Shipment lines add to sales; credit note lines subtract."""

    lines: Callable[[], QuerySet]  # the other app's selector for this kind of line
    sign: int
    date: str
    product: str
    customer: str
    rep: str
    category: str
    quantity: str
    amount: str  # excluding tax (see the module docstring)
    cost: str
    shipment: str
    order_line: str

    def key_expression(self, dimension: str):
        if dimension == "month":
            return TruncMonth(self.date)
        return F(getattr(self, "date" if dimension == "day" else dimension))

    def measure(self, measure: str, period: Period):
        """The measure summed over the period's lines; 0 when the key has none in it."""
        when = Q(**{f"{self.date}__range": period})
        if measure == "quantity":
            return Sum(self.quantity, filter=when, default=0)
        if measure == "amount":
            return Sum(self.amount, filter=when, output_field=MONEY, default=ZERO)
        return Sum(F(self.quantity) * F(self.cost), filter=when, output_field=COST, default=ZERO)


SHIPMENTS = Source(
    lines=shipped_lines,
    sign=1,
    date="shipment__shipped_on",
    product="order_line__product",
    customer="shipment__customer",
    rep="shipment__sales_rep",
    category="order_line__product__category",
    quantity="quantity",
    amount="net_amount",
    cost="unit_cost",
    shipment="shipment_id",
    order_line="order_line_id",
)

CREDIT_NOTES = Source(
    lines=credit_note_lines,
    sign=-1,
    date="credit_note__issue_date",
    product="invoice_line__product",
    customer="credit_note__customer",
    rep="invoice_line__shipment_line__shipment__sales_rep",
    category="invoice_line__product__category",
    quantity="quantity",
    amount="net_amount",
    cost="invoice_line__shipment_line__unit_cost",
    shipment="invoice_line__shipment_line__shipment_id",
    order_line="invoice_line__shipment_line__order_line_id",
)

SOURCES = (SHIPMENTS, CREDIT_NOTES)


@dataclass(frozen=True)
class SalesFilters:
    customer: int | None = None
    product: int | None = None
    rep: int | None = None
    warehouse: int | None = None
    category: str | None = None  # a product category as the products name it


NO_FILTERS = SalesFilters()


def _shipped_from(source: Source, warehouse_id: int):
    """The line left from this warehouse: inventory's shipment move for it names the
    shipment in `reference` and the order line's demand in `note`. A credit note line
    follows the shipment line it credits. A line split across two warehouses counts
    under each."""
    return Exists(
        shipment_moves(warehouse_id).filter(
            reference=Concat(Value("orders.Shipment:"), Cast(OuterRef(source.shipment), CharField())),
            note=Concat(Value("orders.OrderLine:"), Cast(OuterRef(source.order_line), CharField())),
        )
    )


def _visible_lines(source: Source, *, user, filters: SalesFilters, periods: Sequence[Period]) -> QuerySet:
    """A source's lines this user may see, matching the filters, in any of the periods."""
    queryset = restrict_to_own_customers(source.lines(), user, source.customer)
    if filters.customer is not None:
        queryset = queryset.filter(**{source.customer: filters.customer})
    if filters.product is not None:
        queryset = queryset.filter(**{source.product: filters.product})
    if filters.rep is not None:
        queryset = queryset.filter(**{source.rep: filters.rep})
    if filters.warehouse is not None:
        queryset = queryset.filter(_shipped_from(source, filters.warehouse))
    if filters.category is not None:
        queryset = queryset.filter(**{source.category: filters.category})
    within = Q()
    for period in periods:
        within |= Q(**{f"{source.date}__range": period})
    return queryset.filter(within)


def net_sums(
    *,
    user,
    dimensions: Sequence[str],
    columns: Sequence[tuple[Period, str]],
    filters: SalesFilters,
) -> dict[tuple, tuple[Decimal, ...]]:
    """Net sales per group key: {key: (one figure per (period, measure) column)}.

    One query per source: the lines of any of the periods (WHERE period A OR period B),
    grouped by the key, each (period, measure) column a conditional SUM; credit notes
    are then netted here against the shipments' figures. Keys are tuples in the order of
    `dimensions`; a month key is the month's first day. A report can have thousands of
    keys, so this stays a flat loop over tuples. Credit note lines are about one in a
    hundred, so nearly every key is the shipments' row as fetched."""
    names = [f"k{index}" for index in range(len(dimensions))]
    width = len(names)
    periods = list(dict.fromkeys(period for period, _measure in columns))
    zeros = (ZERO,) * len(columns)
    sums: dict[tuple, tuple[Decimal, ...]] = {}
    for source in SOURCES:
        aggregates = {f"m{index}": source.measure(measure, period) for index, (period, measure) in enumerate(columns)}
        rows = list(
            _visible_lines(source, user=user, filters=filters, periods=periods)
            .annotate(**{name: source.key_expression(d) for name, d in zip(names, dimensions, strict=True)})
            .values(*names)
            .annotate(**aggregates)
            .order_by()
            .values_list(*names, *aggregates)[: MAX_ROWS + 1]
        )
        if len(rows) > MAX_ROWS:
            raise TooManyRows()
        net = operator.add if source.sign > 0 else operator.sub
        for row in rows:
            key, figures = row[:width], row[width:]
            before = sums.get(key)
            if before is None and source.sign > 0:
                sums[key] = figures
            else:
                sums[key] = tuple(map(net, zeros if before is None else before, figures))
    if len(sums) > MAX_ROWS:
        raise TooManyRows()
    return sums


def aggregate_sales(
    *,
    user,
    dimensions: Sequence[str],
    periods: dict[str, Period],
    filters: SalesFilters = NO_FILTERS,
) -> dict[tuple, dict[str, dict[str, Decimal]]]:
    """Net sales per group key and period: {key: {period: {quantity, amount, cost}}}.
    Keys are tuples in the order of `dimensions`; a month key is the month's first day.
    One query per source (see net_sums)."""
    columns = [(period, measure) for period in periods for measure in MEASURES]
    sums = net_sums(
        user=user,
        dimensions=dimensions,
        columns=[(periods[period], measure) for period, measure in columns],
        filters=filters,
    )
    result = {}
    for key, figures in sums.items():
        by_period: dict[str, dict[str, Decimal]] = {period: {} for period in periods}
        for (period, measure), value in zip(columns, figures, strict=True):
            by_period[period][measure] = value
        result[key] = by_period
    return result
