"""Sales figures, read from orders and billing through the ORM, aggregated in SQL.

Sales are recognised when goods ship (出荷基準): a shipped shipment's lines count on
their shipping date. A credit note (返品・値引) counts against sales on its own issue
date, not the original sale's. Amounts exclude tax: each line's `net_amount`, as the
document that taxes it states it (the invoice that bills a shipment line, the delivery
note until then, the credit note for its lines). For a tax-inclusive (内税) customer the
tax is extracted once per rate per document and shared among its lines, so every
grouping adds up the same stored line values and a period that covers whole invoices
agrees with the invoices and the journal to the yen. Cost is quantity × the unit cost recorded on the
shipment line when it shipped; the rep and the tax mode are those recorded on the
shipment, so reassigning a customer does not move past sales.

Why no summary table: each report is one GROUP BY per source (shipments, credit
notes), with both periods it compares (this period and last year, or the month and
the year to date) summed in the same statement by conditional aggregation, so the
number of queries does not depend on the number of rows, and the one-month queries
use the index on shipments' shipped_on. bench/reports.py measures this at a million
lines next to the bare SQL.
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.money import line_amount
from backoffice.roles import Role, restrict_to_own_customers
from backoffice.selectors import company_profile
from billing.selectors import credit_note_lines
from inventory.selectors import product_labels, shipment_moves
from orders.selectors import QuoteStatus, all_quotes, customer_labels, open_order_lines, shipped_lines

ZERO = Decimal(0)
MONEY = DecimalField(max_digits=16, decimal_places=0)
COST = DecimalField(max_digits=18, decimal_places=2)

PERIOD_DIMENSIONS = ("month", "day")
DIMENSIONS = ("month", "day", "product", "customer", "rep", "category")
MAX_ROWS = 10_000


# ---------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (1/31 + 1 → 2/28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def year_earlier(day: dt.date) -> dt.date:
    """The same date a year earlier; a month end stays a month end (2025-02-28 → 2024-02-29)."""
    earlier = add_months(day, -12)
    return month_end(earlier) if day == month_end(day) else earlier


def year_later(day: dt.date) -> dt.date:
    """Where a last-year date lands this year: 2024-02-29 → 2025-02-28."""
    return add_months(day, 12)


def fiscal_year_start(month: dt.date, start_month: int) -> dt.date:
    year = month.year if month.month >= start_month else month.year - 1
    return dt.date(year, start_month, 1)


# ---------------------------------------------------------------------------
# Where the sales lines come from
# ---------------------------------------------------------------------------


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

    def queryset(self) -> QuerySet:
        return self.lines()

    def net_amount(self):
        """The line amount excluding tax, as its document states it."""
        return F(self.amount)

    def key_expression(self, dimension: str):
        if dimension == "month":
            return TruncMonth(self.date)
        return F(getattr(self, "date" if dimension == "day" else dimension))


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


def _filtered(source: Source, *, user, filters: SalesFilters):
    queryset = restrict_to_own_customers(source.queryset(), user, source.customer)
    if filters.customer is not None:
        queryset = queryset.filter(**{source.customer: filters.customer})
    if filters.product is not None:
        queryset = queryset.filter(**{source.product: filters.product})
    if filters.rep is not None:
        queryset = queryset.filter(**{source.rep: filters.rep})
    if filters.warehouse is not None:
        queryset = queryset.filter(_shipped_from(source, filters.warehouse))
    return queryset


def _period_q(source: Source, period: tuple[dt.date, dt.date]) -> Q:
    return Q(**{f"{source.date}__range": period})


MEASURES = ("quantity", "amount", "cost")


def _measure(source: Source, measure: str, period: tuple[dt.date, dt.date]):
    """The measure summed over the period's lines; 0 when the key has none in it."""
    when = _period_q(source, period)
    if measure == "quantity":
        return Sum(source.quantity, filter=when, default=0)
    if measure == "amount":
        return Sum(source.net_amount(), filter=when, output_field=MONEY, default=ZERO)
    return Sum(F(source.quantity) * F(source.cost), filter=when, output_field=COST, default=ZERO)


def _rows(queryset) -> list[tuple]:
    """A values_list queryset's rows. On PostgreSQL straight from the cursor: psycopg
    already gives int, Decimal and date (a truncated month comes as a datetime, see
    `_plain_key`), and at thousands of rows the ORM's per-value converters cost more
    than the rest of the aggregation's Python. Other databases need the converters."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _net_sums(
    *,
    user,
    dimensions: Sequence[str],
    columns: Sequence[tuple[tuple[dt.date, dt.date], str]],
    filters: SalesFilters,
) -> dict[tuple, tuple[Decimal, ...]]:
    """Net sales per group key: {key: (one figure per (period, measure) column)}.

    The periods are summed side by side with conditional aggregation and fetched
    together (WHERE period A OR period B): on PostgreSQL in one statement over both
    sources, elsewhere one query per source netted here. Keys are tuples in the order of
    `dimensions`; a month key is the month's first day. A report can have thousands of
    keys, so this stays a flat loop over tuples."""
    names = [f"k{index}" for index in range(len(dimensions))]
    width = len(names)
    periods = list(dict.fromkeys(period for period, _measure_name in columns))
    zeros = (ZERO,) * len(columns)
    plain_keys = any(d in PERIOD_DIMENSIONS for d in dimensions)
    sums: dict[tuple, tuple[Decimal, ...]] = {}
    if connections[SHIPMENTS.queryset().db].vendor == "postgresql":
        for row in _net_rows_in_one_statement(
            user=user, dimensions=dimensions, columns=columns, periods=periods, filters=filters
        ):
            key = tuple(_plain_key(k) for k in row[:width]) if plain_keys else row[:width]
            sums[key] = row[width:]
        return sums
    for source in SOURCES:
        aggregates = {f"m{index}": _measure(source, measure, period) for index, (period, measure) in enumerate(columns)}
        rows = (
            _keyed_lines(source, user=user, filters=filters, dimensions=dimensions, periods=periods)
            .values(*names)
            .annotate(**aggregates)
            .order_by()
            .values_list(*names, *aggregates)
        )
        rows = _rows(rows[: MAX_ROWS + 1])
        if len(rows) > MAX_ROWS:
            raise TooManyRows()
        net = operator.add if source.sign > 0 else operator.sub
        for row in rows:
            key = tuple(_plain_key(k) for k in row[:width]) if plain_keys else row[:width]
            sums[key] = tuple(map(net, sums.get(key, zeros), row[width:]))
    if len(sums) > MAX_ROWS:
        raise TooManyRows()
    return sums


def _keyed_lines(
    source: Source,
    *,
    user,
    filters: SalesFilters,
    dimensions: Sequence[str],
    periods: Sequence[tuple[dt.date, dt.date]],
) -> QuerySet:
    """A source's lines this user may see, in any of the periods, with their group key
    annotated as k0, k1, ... in the order of `dimensions`."""
    within = Q()
    for period in periods:
        within |= _period_q(source, period)
    return (
        _filtered(source, user=user, filters=filters)
        .filter(within)
        .annotate(**{f"k{index}": source.key_expression(d) for index, d in enumerate(dimensions)})
    )


_LINE_MEASURES = {"quantity": "line_quantity", "amount": "line_amount", "cost": "line_cost"}


def _net_rows_in_one_statement(
    *,
    user,
    dimensions: Sequence[str],
    columns: Sequence[tuple[tuple[dt.date, dt.date], str]],
    periods: Sequence[tuple[dt.date, dt.date]],
    filters: SalesFilters,
) -> list[tuple]:
    """PostgreSQL: both sources' lines in one UNION ALL, grouped once, each (period,
    measure) column a SUM ... FILTER: the database nets credit notes against sales, so
    a report of thousands of keys is one statement and one pass over its rows (the same
    shape as the bare SQL the benchmark compares with). The lines themselves come from
    the same Source querysets as everywhere else (visibility, filters, net amounts)."""
    names = [f"k{index}" for index in range(len(dimensions))]
    parts = []
    for source in SOURCES:
        sign = Value(source.sign)
        parts.append(
            _keyed_lines(source, user=user, filters=filters, dimensions=dimensions, periods=periods)
            .annotate(
                line_day=F(source.date),
                line_quantity=F(source.quantity) * sign,
                line_amount=ExpressionWrapper(source.net_amount() * sign, output_field=MONEY),
                line_cost=ExpressionWrapper(F(source.quantity) * F(source.cost) * sign, output_field=COST),
            )
            .values_list(*names, "line_day", *_LINE_MEASURES.values())
        )
    lines_sql, lines_params = parts[0].union(parts[1], all=True).query.sql_with_params()
    keys = ", ".join(names)
    figures, params = [], []
    for period, measure in columns:
        figures.append(f"COALESCE(SUM({_LINE_MEASURES[measure]}) FILTER (WHERE line_day BETWEEN %s AND %s), 0)")
        params += list(period)
    aliases = ", ".join([*names, "line_day", *_LINE_MEASURES.values()])
    sql = (
        f"SELECT {keys}, {', '.join(figures)} FROM ({lines_sql}) AS lines ({aliases}) "  # noqa: S608 - our names
        f"GROUP BY {keys} LIMIT {MAX_ROWS + 1}"
    )
    with connections[parts[0].db].cursor() as cursor:
        cursor.execute(sql, [*params, *lines_params])
        rows = cursor.fetchall()
    if len(rows) > MAX_ROWS:
        raise TooManyRows()
    return rows


def aggregate_sales(
    *,
    user,
    dimensions: Sequence[str],
    periods: dict[str, tuple[dt.date, dt.date]],
    filters: SalesFilters = SalesFilters(),
) -> dict[tuple, dict[str, dict[str, Decimal]]]:
    """Net sales per group key and period: {key: {period: {quantity, amount, cost}}}.
    Keys are tuples in the order of `dimensions`; a month key is the month's first day.
    One statement on PostgreSQL, one query per source elsewhere (see _net_sums)."""
    columns = [(period, measure) for period in periods for measure in MEASURES]
    sums = _net_sums(
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


class TooManyRows(Exception):
    """More groups than a report shows: narrow the range or the grouping."""


def _plain_key(value):
    if isinstance(value, dt.datetime):
        return value.date()
    return value


# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------


def month_label(month: dt.date) -> str:
    return _("%(year)d-%(month)02d") % {"year": month.year, "month": month.month}


def user_label(user) -> str:
    return (f"{user.last_name} {user.first_name}".strip() or user.username) if user else _("(no rep)")


def _labels(dimension: str, keys: Iterable) -> dict:
    """Key → label for one dimension, one query for products, customers or reps."""
    keys = set(keys)
    ids = [k for k in keys if k is not None]
    labels: dict = {}
    # Past a few hundred ids, the whole master table (a few thousand rows) is cheaper
    # to read than to bind a long IN list.
    some = None if len(ids) > 300 else ids
    if dimension == "product":
        labels = product_labels(some)
        labels[None] = _("(no product)")
    elif dimension == "customer":
        labels = customer_labels(some)
    elif dimension == "rep":
        users = get_user_model().objects.order_by()
        labels = {user.pk: user_label(user) for user in (users if some is None else users.filter(pk__in=some))}
        labels[None] = _("(no rep)")
    elif dimension == "category":
        labels = {k: k or _("(no category)") for k in keys}
    elif dimension == "month":
        labels = {k: month_label(k) for k in ids}
    elif dimension == "day":
        labels = {k: k.isoformat() for k in ids}
    return labels


def key_text(dimension: str, key) -> str:
    if key is None:
        return ""
    if dimension == "month":
        return f"{key:%Y-%m}"
    if isinstance(key, dt.date):
        return key.isoformat()
    return str(key)


# ---------------------------------------------------------------------------
# The sales report
# ---------------------------------------------------------------------------


TENTH = Decimal("0.1")


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def fraction(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def growth(now: Decimal, before: Decimal) -> Decimal | None:
    if not before:
        return None
    return percent(now - before, abs(before))


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
        return percent(self.gross_profit, self.amount)

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


def sales_report(
    *,
    user,
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str],
    filters: SalesFilters = SalesFilters(),
    limit: int | None = None,
) -> SalesReport:
    """Net sales excluding tax grouped by one or two dimensions, with cost, gross profit,
    share of the total and the same period a year earlier. The total row is the sum of
    the rows. Two queries plus one per named dimension (labels).

    A month by product has thousands of rows, so the rows are built in one pass over
    plain lists (bench/reports.py times it beside the bare SQL)."""
    current = (date_from, date_to)
    last_year = (year_earlier(date_from), year_earlier(date_to))
    # This period's quantity, amount and cost, then last year's; a key whose six
    # figures are all zero has no row.
    sums = _net_sums(
        user=user,
        dimensions=group_by,
        columns=[*((current, m) for m in MEASURES), *((last_year, m) for m in MEASURES)],
        filters=filters,
    )
    moved = [d in PERIOD_DIMENSIONS for d in group_by]
    merged: dict[tuple, Sequence[Decimal]]
    if not any(moved):
        merged = {key: figures for key, figures in sums.items() if any(figures)}
    else:
        # Last year's period keys move to the date they compare with (2024-03 → 2025-03).
        merged = {}
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
    totals = [sum(column, ZERO) for column in zip(*merged.values(), strict=True)] if merged else [ZERO] * 6
    total_amount = totals[ROW_AMOUNT]

    labels = [_labels(d, (key[i] for key in merged)) for i, d in enumerate(group_by)]
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


# ---------------------------------------------------------------------------
# Targets vs achievement
# ---------------------------------------------------------------------------


@dataclass
class TargetRow:
    rep_id: int
    rep: str
    target: Decimal | None
    actual: Decimal
    ytd_target: Decimal | None
    ytd_actual: Decimal

    @property
    def achievement_rate(self) -> Decimal | None:
        return fraction(self.actual, self.target)

    @property
    def ytd_achievement_rate(self) -> Decimal | None:
        return fraction(self.ytd_actual, self.ytd_target)


@dataclass
class TargetReport:
    month: dt.date
    fiscal_year_from: dt.date
    rows: list[TargetRow]
    total: TargetRow


def _sum_or_none(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


def targets_report(*, user, month: dt.date) -> TargetReport:
    """Per rep: the month's target and actual net sales, and the fiscal year to date.
    A rep sees only their own row. Four queries plus the user's roles."""
    from .models import SalesTarget

    month = month_start(month)
    start = fiscal_year_start(month, company_profile().fiscal_year_start_month)
    sees_all = _sees_every_rep(user)
    targets = SalesTarget.objects.filter(month__range=(start, month))
    if not sees_all:
        targets = targets.filter(rep=user)
    by_rep: dict[int, dict[str, Decimal | None]] = defaultdict(lambda: {"target": None, "ytd_target": None})
    for rep_id, target_month, amount in targets.values_list("rep_id", "month", "amount"):
        entry = by_rep[rep_id]
        entry["ytd_target"] = (entry["ytd_target"] or ZERO) + amount
        if target_month == month:
            entry["target"] = amount
    figures = aggregate_sales(
        user=user,
        dimensions=["rep"],
        periods={"month": (month, month_end(month)), "ytd": (start, month_end(month))},
        filters=SalesFilters(rep=None if sees_all else user.pk),
    )
    reps = get_user_model().objects.filter(
        Q(pk__in=[*by_rep, *(key[0] for key in figures if key[0] is not None)]) | Q(groups__name=Role.SALES_REP.value)
    )
    if not sees_all:
        reps = reps.filter(pk=user.pk)
    rows = []
    for rep in reps.distinct().order_by("username"):
        actual = figures.get((rep.pk,), {})
        rows.append(
            TargetRow(
                rep_id=rep.pk,
                rep=user_label(rep),
                target=by_rep[rep.pk]["target"],
                actual=actual.get("month", {}).get("amount", ZERO),
                ytd_target=by_rep[rep.pk]["ytd_target"],
                ytd_actual=actual.get("ytd", {}).get("amount", ZERO),
            )
        )
    total = TargetRow(
        rep_id=0,
        rep=_("Total"),
        target=_sum_or_none(r.target for r in rows),
        actual=sum((r.actual for r in rows), ZERO),
        ytd_target=_sum_or_none(r.ytd_target for r in rows),
        ytd_actual=sum((r.ytd_actual for r in rows), ZERO),
    )
    return TargetReport(month=month, fiscal_year_from=start, rows=rows, total=total)


def _sees_every_rep(user) -> bool:
    from backoffice.roles import sees_all_customers

    return sees_all_customers(user)


# ---------------------------------------------------------------------------
# Order backlog (受注残)
# ---------------------------------------------------------------------------


@dataclass
class BacklogRow:
    key: str
    label: str
    lines: int = 0
    quantity: int = 0
    amount: Decimal = ZERO


@dataclass
class BacklogReport:
    as_of: dt.date
    group_by: str
    rows: list[BacklogRow]
    total: BacklogRow


def backlog_report(*, user, group_by: str = "date", filters: SalesFilters = SalesFilters()) -> BacklogReport:
    """Confirmed order lines not yet fully shipped, by expected ship date: the later of
    the requested date and the date the stock is there (today when allocated, else
    inventory's expected date for the backorder). Amounts are what is left to ship,
    excluding tax. Seven queries whatever the number of lines."""
    from inventory.selectors import demands_by_reference, expected_dates

    today = timezone.localdate()
    lines = restrict_to_own_customers(open_order_lines(), user, "order__customer")
    if filters.customer is not None:
        lines = lines.filter(order__customer=filters.customer)
    if filters.product is not None:
        lines = lines.filter(product=filters.product)
    if filters.rep is not None:
        lines = lines.filter(order__customer__sales_rep=filters.rep)
    lines = list(
        lines.values(
            "pk",
            "quantity",
            "shipped_quantity",
            "unit_price",
            "discount_rate",
            "tracks_stock",
            "order__requested_date",
            "order__customer__tax_mode",
            "tax_rate",
        )
    )
    references = [f"orders.OrderLine:{line['pk']}" for line in lines if line["tracks_stock"]]
    demands = demands_by_reference(references) if references else {}
    waiting = [d for d in demands.values() if d.backordered]
    dates = expected_dates(waiting, on=today) if waiting else {}
    mode = company_profile().rounding_mode
    rows: dict[str, BacklogRow] = {}
    unknown = _("unknown")
    for line in lines:
        ready: dt.date | None = today
        demand = demands.get(f"orders.OrderLine:{line['pk']}")
        if demand is not None and demand.backordered:
            ready = dates.get(demand.pk)
        requested = line["order__requested_date"]
        expected = max(ready, requested) if ready and requested else ready
        if expected is None:
            key = label = unknown
        elif group_by == "month":
            key, label = f"{expected:%Y-%m}", month_label(month_start(expected))
        else:
            key = label = expected.isoformat()
        left = line["quantity"] - line["shipped_quantity"]
        amount = line_amount(left, line["unit_price"], mode, line["discount_rate"])
        if line["order__customer__tax_mode"] == "inclusive":
            amount = (amount * 100 / (100 + line["tax_rate"])).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        row = rows.setdefault(key, BacklogRow(key=key, label=label))
        row.lines += 1
        row.quantity += left
        row.amount += amount
    ordered = sorted(rows.values(), key=lambda r: (r.key == unknown, r.key))
    total = BacklogRow(
        key="",
        label=_("Total"),
        lines=sum(r.lines for r in ordered),
        quantity=sum(r.quantity for r in ordered),
        amount=sum((r.amount for r in ordered), ZERO),
    )
    return BacklogReport(as_of=today, group_by=group_by, rows=ordered, total=total)


# ---------------------------------------------------------------------------
# Quote pipeline
# ---------------------------------------------------------------------------


@dataclass
class PipelineRow:
    rep_id: int | None
    rep: str
    open_count: int
    open_amount: Decimal
    accepted_count: int
    accepted_amount: Decimal
    declined_count: int
    expired_count: int

    @property
    def won_rate(self) -> Decimal | None:
        decided = self.accepted_count + self.declined_count + self.expired_count
        return fraction(Decimal(self.accepted_count), Decimal(decided)) if decided else None


@dataclass
class PipelineReport:
    date_from: dt.date
    date_to: dt.date
    rows: list[PipelineRow]
    total: PipelineRow


def pipeline_report(
    *, user, date_from: dt.date, date_to: dt.date, filters: SalesFilters = SalesFilters()
) -> PipelineReport:
    """Per rep (the customer's rep): quotes issued and still open, with their amount
    excluding tax, and of the quotes issued in the period, how many were won:
    accepted / (accepted + declined + expired). Two queries."""
    quotes = restrict_to_own_customers(all_quotes(), user)
    if filters.customer is not None:
        quotes = quotes.filter(customer=filters.customer)
    if filters.rep is not None:
        quotes = quotes.filter(customer__sales_rep=filters.rep)
    in_period = Q(issue_date__range=(date_from, date_to))
    is_open = Q(status=QuoteStatus.ISSUED)
    decided = Q(status__in=[QuoteStatus.ACCEPTED, QuoteStatus.DECLINED, QuoteStatus.EXPIRED])
    figures = list(
        quotes.filter(is_open | (in_period & decided))
        .values("customer__sales_rep")
        .annotate(
            open_count=Count("pk", filter=is_open),
            open_amount=Sum("subtotal", filter=is_open),
            accepted_count=Count("pk", filter=in_period & Q(status=QuoteStatus.ACCEPTED)),
            accepted_amount=Sum("subtotal", filter=in_period & Q(status=QuoteStatus.ACCEPTED)),
            declined_count=Count("pk", filter=in_period & Q(status=QuoteStatus.DECLINED)),
            expired_count=Count("pk", filter=in_period & Q(status=QuoteStatus.EXPIRED)),
        )
    )
    labels = _labels("rep", (row["customer__sales_rep"] for row in figures))
    rows = [
        PipelineRow(
            rep_id=row["customer__sales_rep"],
            rep=labels.get(row["customer__sales_rep"], ""),
            open_count=row["open_count"],
            open_amount=row["open_amount"] or ZERO,
            accepted_count=row["accepted_count"],
            accepted_amount=row["accepted_amount"] or ZERO,
            declined_count=row["declined_count"],
            expired_count=row["expired_count"],
        )
        for row in figures
    ]
    rows.sort(key=lambda r: (r.rep_id is None, r.rep))
    total = PipelineRow(
        rep_id=None,
        rep=_("Total"),
        open_count=sum(r.open_count for r in rows),
        open_amount=sum((r.open_amount for r in rows), ZERO),
        accepted_count=sum(r.accepted_count for r in rows),
        accepted_amount=sum((r.accepted_amount for r in rows), ZERO),
        declined_count=sum(r.declined_count for r in rows),
        expired_count=sum(r.expired_count for r in rows),
    )
    return PipelineReport(date_from=date_from, date_to=date_to, rows=rows, total=total)


# ---------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    month: dt.date
    targets: TargetReport
    top_products: SalesReport
    trend: SalesReport


def dashboard(*, user, today: dt.date | None = None) -> Dashboard:
    """This month against target per rep, this month's top ten products and the last
    twelve months' sales next to the year before."""
    today = today or timezone.localdate()
    month = month_start(today)
    return Dashboard(
        month=month,
        targets=targets_report(user=user, month=month),
        top_products=sales_report(user=user, date_from=month, date_to=month_end(month), group_by=["product"], limit=10),
        trend=sales_report(user=user, date_from=add_months(month, -11), date_to=month_end(month), group_by=["month"]),
    )
