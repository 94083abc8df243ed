"""What waits for each role on the home page: counts and short lists, each a fixed number
of queries however many orders, quotes and inquiries there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from backoffice.roles import Role
from inventory.selectors import demands_by_reference, expected_dates
from orders.models import Inquiry, Order, Quote, Shipment
from orders.selectors import lines_ready_to_ship
from reports.selectors import percent, targets_report

# Orders a rep follows until their goods have left.
FOLLOWED_ORDER_STATUSES = (
    Order.Status.DRAFT,
    Order.Status.ON_HOLD,
    Order.Status.CONFIRMED,
    Order.Status.PARTIALLY_SHIPPED,
)
# A rep's quotes still in play, in the order of their life.
ACTIVE_QUOTE_STATUSES = (
    Quote.Status.DRAFT,
    Quote.Status.PENDING_APPROVAL,
    Quote.Status.REJECTED,
    Quote.Status.APPROVED,
    Quote.Status.ISSUED,
)
SHORT_LIST = 10
APPROVAL_LIST = 20


# --- sales admin ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminQueues:
    quote_requests: int  # draft quotes a rep asked for, to be priced
    draft_orders: int
    orders_on_hold: int
    backorders_arrived: int  # open orders whose backordered goods came in and wait to ship
    draft_shipments: int
    orders_ready: int  # orders with goods ready for a new shipment
    open_inquiries: int  # logged and not yet handed to anyone or resolved

    @property
    def to_ship_today(self) -> int:
        return self.draft_shipments + self.orders_ready


def admin_queues() -> AdminQueues:
    """Six queries: quotes, orders by status, inquiries, draft shipments, and the four of
    lines_ready_to_ship (which share nothing cacheable with the others)."""
    orders = dict(
        Order.objects.filter(status__in=[Order.Status.DRAFT, Order.Status.ON_HOLD])
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    ready_orders: set[int] = set()
    arrived_orders: set[int] = set()
    for line in lines_ready_to_ship():
        ready_orders.add(line.order_id)
        if line.arrived_later:
            arrived_orders.add(line.order_id)
    return AdminQueues(
        quote_requests=Quote.objects.filter(
            status=Quote.Status.DRAFT, requested_by__groups__name=Role.SALES_REP.value
        ).count(),
        draft_orders=orders.get(Order.Status.DRAFT, 0),
        orders_on_hold=orders.get(Order.Status.ON_HOLD, 0),
        backorders_arrived=len(arrived_orders),
        draft_shipments=Shipment.objects.filter(status=Shipment.Status.DRAFT).count(),
        orders_ready=len(ready_orders),
        open_inquiries=Inquiry.objects.filter(status=Inquiry.Status.OPEN).count(),
    )


# --- sales rep ------------------------------------------------------------------------------


@dataclass
class FollowedOrder:
    order: Order
    expected_date: dt.date | None  # when the backordered rest is expected; None: nothing waits for stock
    backordered: int


@dataclass
class RepQueues:
    inquiries: int  # handed to me and not resolved
    quotes_by_status: list[tuple[str, str, int]]  # (status, label, count), active statuses only
    open_orders: int
    orders: list[FollowedOrder] = field(default_factory=list)  # the next SHORT_LIST to deliver


def rep_queues(user) -> RepQueues:
    """The rep's own: inquiries handed to them, their customers' quotes by status, and
    their customers' open orders with the date the backordered rest is expected. At most
    ten queries (five for the stock: the demands and inventory's expected dates)."""
    inquiries = Inquiry.objects.filter(assigned_to=user).exclude(status=Inquiry.Status.RESOLVED).count()
    counts = dict(
        Quote.objects.filter(customer__sales_rep=user, status__in=ACTIVE_QUOTE_STATUSES)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    labels = dict(Quote.Status.choices)
    quotes = [(status, labels[status], counts[status]) for status in ACTIVE_QUOTE_STATUSES if counts.get(status)]
    followed = Order.objects.filter(customer__sales_rep=user, status__in=FOLLOWED_ORDER_STATUSES)
    open_orders = followed.count()
    orders = list(
        followed.select_related("customer").prefetch_related("lines").order_by("order_date", "pk")[:SHORT_LIST]
    )
    # The demands without their allocations (where the stock sits is not asked here).
    references = {
        line.pk: line.demand_reference
        for order in orders
        for line in order.lines.all()
        if line.tracks_stock and not line.cancelled
    }
    demands = demands_by_reference(list(references.values()), with_allocations=False)
    waiting = [demand for demand in demands.values() if demand.backordered]
    dates = expected_dates(waiting) if waiting else {}
    rows = []
    for order in orders:
        mine = [demands[references[line.pk]] for line in order.lines.all() if references.get(line.pk) in demands]
        backordered = [demand for demand in mine if demand.backordered]
        expected = [dates[demand.pk] for demand in backordered if demand.pk in dates]
        rows.append(
            FollowedOrder(
                order=order,
                expected_date=max(expected) if expected else None,
                backordered=sum(demand.backordered for demand in backordered),
            )
        )
    return RepQueues(inquiries=inquiries, quotes_by_status=quotes, open_orders=open_orders, orders=rows)


# --- manager --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetLine:
    rep: str
    target: Decimal | None
    actual: Decimal
    achievement_pct: Decimal | None  # 87.5 for 87.5% (None without a target)


@dataclass
class ManagerQueues:
    quotes_waiting: int
    quotes: list[Quote]
    orders_on_hold: int
    orders: list[Order]
    month: dt.date
    targets: list[TargetLine]
    total: TargetLine


def _target_line(row) -> TargetLine:
    return TargetLine(
        rep=row.rep,
        target=row.target,
        actual=row.actual,
        achievement_pct=percent(row.actual, row.target) if row.target else None,
    )


def manager_queues(user, *, today: dt.date | None = None) -> ManagerQueues:
    """Quotes waiting for approval and orders on credit hold (the first APPROVAL_LIST of
    each, oldest first, with their customers and requesters), and this month's targets
    against actual sales per rep (reports' targets report)."""
    waiting = Quote.objects.filter(status=Quote.Status.PENDING_APPROVAL)
    held = Order.objects.filter(status=Order.Status.ON_HOLD)
    report = targets_report(user=user, month=today or timezone.localdate())
    return ManagerQueues(
        quotes_waiting=waiting.count(),
        quotes=list(waiting.select_related("customer", "requested_by").order_by("pk")[:APPROVAL_LIST]),
        orders_on_hold=held.count(),
        orders=list(held.select_related("customer", "entered_by").order_by("pk")[:APPROVAL_LIST]),
        month=report.month,
        targets=[_target_line(row) for row in report.rows],
        total=_target_line(report.total),
    )


__all__ = [
    "AdminQueues",
    "FollowedOrder",
    "ManagerQueues",
    "RepQueues",
    "TargetLine",
    "admin_queues",
    "manager_queues",
    "rep_queues",
]
