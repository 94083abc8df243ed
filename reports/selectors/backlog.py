"""Order backlog (受注残): confirmed order lines not yet fully shipped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.money import line_amount
from backoffice.roles import restrict_to_own_customers
from backoffice.selectors import company_profile
from inventory.selectors import demands_by_reference, expected_dates
from orders.selectors import open_order_lines

from .aggregation import NO_FILTERS, SalesFilters
from .figures import ZERO
from .labels import month_label
from .periods import month_start


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


def backlog_report(*, user, group_by: str = "date", filters: SalesFilters = NO_FILTERS) -> BacklogReport:
    """Confirmed order lines not yet fully shipped, by expected ship date: the later of
    the requested date and the date the stock is there (today when allocated, else
    inventory's expected date for the backorder). Amounts are what is left to ship,
    excluding tax. Seven queries whatever the number of lines."""
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
