"""The credit check (与信) at order confirmation: the customer's open receivables, open
orders and this order against the customer's credit limit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from backoffice.db import correlated_sum
from backoffice.money import ZERO

from ..models import Customer, Order, Shipment

OPEN_ORDER_STATUSES = (
    Order.Status.ON_HOLD,
    Order.Status.CONFIRMED,
    Order.Status.PARTIALLY_SHIPPED,
)

# Open receivables of a customer come from billing/, which depends on orders and not the
# other way round: billing registers its selector here when it is loaded.
_receivables_providers: list = []


def register_receivables_provider(provider) -> None:
    """provider() -> an expression over Customer rows: that customer's open receivables
    (issued, unpaid invoices less unmatched credit). Read in the credit check's one query."""
    if provider not in _receivables_providers:
        _receivables_providers.append(provider)


def _receivables_expressions() -> list:
    """The receivables columns of the credit check's query: one per provider (billing's)."""
    return [provider() for provider in _receivables_providers]


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
    in one query. The caller holds the customer's lock (order_confirm), so no other order
    of the customer is confirmed while this one is counted."""
    customer = order.customer
    open_orders = Order.objects.filter(status__in=OPEN_ORDER_STATUSES).exclude(pk=order.pk)
    uninvoiced_shipped = Shipment.objects.filter(status=Shipment.Status.SHIPPED, invoiced=False).exclude(
        order__status__in=OPEN_ORDER_STATUSES
    )
    orders_total, shipped_total, *receivables = (
        Customer.objects.filter(pk=customer.pk)
        .values_list(
            correlated_sum(open_orders, "total"),
            correlated_sum(uninvoiced_shipped, "total"),
            *_receivables_expressions(),
        )
        .get()
    )
    return CreditCheck(
        limit=customer.credit_limit,
        receivables=sum(receivables, ZERO) + shipped_total,
        open_orders=orders_total,
        this_order=order.total,
    )
