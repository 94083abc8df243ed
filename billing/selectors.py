"""Billing reads that need thought: open balances, customer credit, closed periods,
receivables aging, visible invoices.

orders.services reads this module (the credit check counts a customer's receivables), so
it imports no services, of billing or of orders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Case, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from backoffice.businessdays import is_closing_date
from backoffice.db import MONEY_FIELD, correlated_sum
from backoffice.money import ZERO
from backoffice.roles import restrict_to_own_customers
from orders.models import Customer

from .models import ClosingRun, CreditNote, CreditNoteLine, Invoice, Payment

OPEN_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID)


def _sum(expression) -> Coalesce:
    return Coalesce(Sum(expression), Value(ZERO), output_field=MONEY_FIELD)


def open_amount_expression():
    return F("sales_total") - F("paid_amount") - F("credited_amount")


# Customer credit: payments and credit notes with some of their amount (this field) not
# yet matched to an invoice.
CREDIT_SOURCES = ((Payment, "amount"), (CreditNote, "total"))


def unmatched(model, total: str) -> QuerySet:
    """The rows of one credit source with something left to match."""
    return model.objects.filter(allocated_amount__lt=F(total)).order_by()


def unmatched_left(total: str):
    return F(total) - F("allocated_amount")


def customer_credit(customer_ids) -> dict[int, Decimal]:
    """Per customer: money and credit notes not matched to any invoice (two queries)."""
    credit: dict[int, Decimal] = {}
    for model, total in CREDIT_SOURCES:
        rows = (
            unmatched(model, total)
            .filter(customer_id__in=customer_ids)
            .values("customer_id")
            .annotate(left=_sum(unmatched_left(total)))
        )
        for row in rows:
            credit[row["customer_id"]] = credit.get(row["customer_id"], ZERO) + row["left"]
    return credit


def unmatched_credit(customer_ids: Iterable[int]) -> list[tuple[int, str]]:
    """(pk, "payment" or "creditnote") of the customers' payments and credit notes with
    credit left to match (usually none).

    Plain SQL on purpose: every per-shipment invoice asks this inside the shipping
    transaction (the hot path of bench/order_flow.py). PostgreSQL answers from the
    customer index in ~0.1 ms; building the same UNION through the ORM costs ~1 ms of
    Python each time. It says what unmatched() says for each of CREDIT_SOURCES."""
    ids = sorted(set(customer_ids))
    if not ids:
        return []
    listed = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, 'payment' FROM billing_payment WHERE customer_id IN ({listed}) "  # noqa: S608
            "AND allocated_amount < amount "
            "UNION ALL "
            f"SELECT id, 'creditnote' FROM billing_creditnote WHERE customer_id IN ({listed}) "
            "AND allocated_amount < total",
            [*ids, *ids],
        )
        return cursor.fetchall()


def closed_period(customer: Customer, day: dt.date) -> bool:
    """Whether `day` is on or before a closing that covered this customer: a closing run
    (running or done) of one of the customer's closing dates on or after the day, or a
    consolidated invoice of the customer whose period ends on or after it.

    Plain SQL on purpose, one statement: every shipment asks this as it ships (the hot
    path of bench/order_flow.py); the ORM would spend ~1 ms of Python building it."""
    statuses = (ClosingRun.Status.RUNNING, ClosingRun.Status.DONE)
    on_or_after = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT closing_date FROM billing_closingrun WHERE closing_date >= %s AND status IN (%s, %s) "
            "UNION ALL "
            "SELECT NULL FROM billing_invoice WHERE customer_id = %s AND kind = %s AND period_end >= %s "
            "AND status <> %s",
            [
                on_or_after,
                *statuses,
                customer.pk,
                Invoice.Kind.CONSOLIDATED,
                on_or_after,
                Invoice.Status.CANCELLED,
            ],
        )
        rows = cursor.fetchall()
    # A row without a date is an invoice; SQLite may answer a date as text.
    return any(closing is None or is_closing_date(_as_date(closing), customer.closing_day) for (closing,) in rows)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def customer_balance_expression():
    """A customer's open receivables as an expression over Customer rows (the credit
    check's provider, read in the same query as the open orders): unpaid invoices less
    customer credit (unmatched payments and credit notes)."""
    balance = correlated_sum(Invoice.objects.filter(status__in=OPEN_STATUSES), open_amount_expression())
    for model, field in CREDIT_SOURCES:
        balance = balance - correlated_sum(unmatched(model, field), unmatched_left(field))
    return balance


def customer_balance(customer) -> Decimal:
    """Open receivables of one customer, see customer_balance_expression. One query."""
    return Customer.objects.filter(pk=customer.pk).values_list(customer_balance_expression(), flat=True).get()


def invoices_visible_to(user) -> QuerySet[Invoice]:
    return restrict_to_own_customers(Invoice.objects.all(), user)


BUCKETS = ("current", "days_30", "days_60", "days_90", "days_90_plus")


@dataclass(frozen=True)
class AgingRow:
    customer: int
    customer_code: str
    customer_name: str
    current: Decimal
    days_30: Decimal
    days_60: Decimal
    days_90: Decimal
    days_90_plus: Decimal
    credit: Decimal

    @property
    def total(self) -> Decimal:
        return sum((getattr(self, name) for name in BUCKETS), ZERO) - self.credit


def _open_invoices(user) -> QuerySet[Invoice]:
    return restrict_to_own_customers(Invoice.objects.filter(status__in=OPEN_STATUSES), user)


def _buckets(as_of: dt.date) -> dict:
    """Open amount by days past due as of `as_of`: not yet due, 1-30, 31-60, 61-90, over 90."""
    open_amount = open_amount_expression()
    days = dt.timedelta

    def bucket(condition: Q):
        return _sum(Case(When(condition, then=open_amount), default=Value(ZERO), output_field=MONEY_FIELD))

    return {
        "current": bucket(Q(due_date__gte=as_of)),
        "days_30": bucket(Q(due_date__lt=as_of, due_date__gte=as_of - days(30))),
        "days_60": bucket(Q(due_date__lt=as_of - days(30), due_date__gte=as_of - days(60))),
        "days_90": bucket(Q(due_date__lt=as_of - days(60), due_date__gte=as_of - days(90))),
        "days_90_plus": bucket(Q(due_date__lt=as_of - days(90))),
    }


def aging_queryset(*, user, as_of: dt.date):
    """One row per customer with open invoices, grouped in one query; a rep sees their own
    customers only."""
    return (
        _open_invoices(user)
        .values("customer", "customer__code", "customer__name")
        .annotate(**_buckets(as_of))
        .order_by("customer__code", "customer")
    )


def aging_rows(rows) -> list[AgingRow]:
    """The grouped rows of one page, with each customer's unmatched credit (two more queries)."""
    rows = list(rows)
    credit = customer_credit([row["customer"] for row in rows])
    return [
        AgingRow(
            customer=row["customer"],
            customer_code=row["customer__code"],
            customer_name=row["customer__name"],
            credit=credit.get(row["customer"], ZERO),
            **{name: row[name] for name in BUCKETS},
        )
        for row in rows
    ]


def aging_totals(*, user, as_of: dt.date) -> dict[str, Decimal]:
    """The buckets over every visible customer, and their credit (three queries)."""
    invoices = _open_invoices(user)
    totals = invoices.aggregate(**_buckets(as_of))
    customer_ids = invoices.values("customer_id")
    totals["credit"] = sum(customer_credit(customer_ids).values(), ZERO)
    totals["total"] = sum((totals[name] for name in BUCKETS), ZERO) - totals["credit"]
    return totals


def credit_note_lines() -> QuerySet:
    """Every credit note line (返品・値引): reports net them against sales in the month issued."""
    return CreditNoteLine.objects.order_by()
