"""The credit check (与信) at order confirmation: the customer's open receivables, open
orders and this order against the customer's credit limit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from backoffice.db import correlated_sum
from billing.selectors import customer_balance_expression

from ..models import Customer, Order, Shipment

OPEN_ORDER_STATUSES = (
    Order.Status.ON_HOLD,
    Order.Status.CONFIRMED,
    Order.Status.PARTIALLY_SHIPPED,
)


@dataclass(frozen=True)
class CreditCheck:
    limit: Decimal | None
    receivables: Decimal
    open_orders: Decimal
    this_order: Decimal

    @property
    def exposure(self) -> Decimal:
        return self.receivables + self.open_orders + self.this_order

    @property
    def exceeded(self) -> bool:
        return self.limit is not None and self.exposure > self.limit

    def message(self) -> str:
        return _(
            "Credit limit %(limit)s exceeded: open receivables %(receivables)s + open orders %(orders)s"
            " + this order %(order)s = %(exposure)s."
        ) % {
            "limit": f"¥{self.limit:,}",
            "receivables": f"¥{self.receivables:,}",
            "orders": f"¥{self.open_orders:,}",
            "order": f"¥{self.this_order:,}",
            "exposure": f"¥{self.exposure:,}",
        }


def credit_check(order: Order) -> CreditCheck:
    """Open receivables + open (not yet invoiced) orders + this order against the limit,
    in one query. The receivables are billing's (unpaid invoices less unmatched credit):
    the one place orders reads billing, drawn in ARCHITECTURE.md. The caller holds the
    customer's lock (order_confirm), so no other order
    of the customer is confirmed while this one is counted."""
    customer = order.customer
    open_orders = Order.objects.filter(status__in=OPEN_ORDER_STATUSES).exclude(pk=order.pk)
    uninvoiced_shipped = Shipment.objects.filter(status=Shipment.Status.SHIPPED, invoiced=False).exclude(
        order__status__in=OPEN_ORDER_STATUSES
    )
    orders_total, shipped_total, receivables = (
        Customer.objects.filter(pk=customer.pk)
        .values_list(
            correlated_sum(open_orders, "total"),
            correlated_sum(uninvoiced_shipped, "total"),
            customer_balance_expression(),
        )
        .get()
    )
    return CreditCheck(
        limit=customer.credit_limit,
        receivables=receivables + shipped_total,
        open_orders=orders_total,
        this_order=order.total,
    )
