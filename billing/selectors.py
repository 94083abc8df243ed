"""Billing reads that need thought: open balances, customer credit, closed periods,
visible invoices (the aging as it stood on a day is in billing.ledger).

orders.services reads this module (the credit check counts a customer's receivables), so
it imports no services, of billing or of orders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum, Value
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


def credit_note_lines() -> QuerySet:
    """Every credit note line (返品・値引): reports net them against sales in the month issued."""
    return CreditNoteLine.objects.order_by()


# --- the billing screens: invoice search, 入金予定表, a payment's open invoices --------------------


def customer_named(text: str, path: str = "customer") -> Q:
    """Rows whose customer's code starts with, or name or kana reading contains, `text`
    (kana typed in hiragana or half-width finds it, as the pickers do)."""
    text = text.strip()
    return (
        Q(**{f"{path}__code__istartswith": text})
        | Q(**{f"{path}__name__icontains": text})
        | Q(**{f"{path}__name_kana_key__kana_contains": text})
    )


def invoices_matching(
    *,
    user,
    customer_text: str = "",
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    status: str = "",
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    overdue_on: dt.date | None = None,
) -> QuerySet[Invoice]:
    """The invoices a user may see, narrowed by customer (code, name or kana typed any way),
    issue date, status ("open" = issued or partially paid), due date, and those overdue on
    `overdue_on` (open and due before it). With the customer joined."""
    invoices = invoices_visible_to(user).select_related("customer")
    if (customer_text or "").strip():
        invoices = invoices.filter(customer_named(customer_text))
    if issued_from:
        invoices = invoices.filter(issue_date__gte=issued_from)
    if issued_to:
        invoices = invoices.filter(issue_date__lte=issued_to)
    if status == "open":
        invoices = invoices.filter(status__in=OPEN_STATUSES)
    elif status:
        invoices = invoices.filter(status=status)
    if due_from:
        invoices = invoices.filter(due_date__gte=due_from)
    if due_to:
        invoices = invoices.filter(due_date__lte=due_to)
    if overdue_on:
        invoices = invoices.filter(status__in=OPEN_STATUSES, due_date__lt=overdue_on)
    return invoices


@dataclass(frozen=True)
class ScheduleTotal:
    """入金予定表: the open invoices due on one day (or in one week, Monday to Sunday)."""

    start: dt.date
    end: dt.date
    count: int
    amount: Decimal


def payment_schedule(invoices: QuerySet[Invoice]) -> tuple[dict[dt.date, ScheduleTotal], dict[dt.date, ScheduleTotal]]:
    """The open amounts of these invoices per due date and per week (keyed by the week's
    Monday), whatever page of them is shown. One query."""
    per_day = (
        invoices.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("due_date")
        .annotate(count=Count("pk"), amount=_sum(open_amount_expression()))
    )
    days: dict[dt.date, ScheduleTotal] = {}
    weeks: dict[dt.date, ScheduleTotal] = {}
    for row in per_day:
        day = row["due_date"]
        days[day] = ScheduleTotal(start=day, end=day, count=row["count"], amount=row["amount"])
        monday = day - dt.timedelta(days=day.weekday())
        week = weeks.get(monday) or ScheduleTotal(monday, monday + dt.timedelta(days=6), 0, ZERO)
        weeks[monday] = ScheduleTotal(week.start, week.end, week.count + row["count"], week.amount + row["amount"])
    return days, weeks


def open_invoices_oldest_first(customer) -> QuerySet[Invoice]:
    """A customer's open invoices in the order a payment settles them (payment_record's)."""
    return Invoice.objects.filter(customer=customer, status__in=OPEN_STATUSES).order_by("due_date", "issue_date", "pk")
