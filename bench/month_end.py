"""Benchmark (not a test): the month-end screens at 10,000 customers with a year of invoices.

    .venv/bin/python bench/month_end.py [--customers 10000] [--requests 50] [--keep] [--reuse]
                                        [--database bo_bench_month_end]

Uses the PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
but its own throwaway database (dropped and re-created, dropped at the end unless --keep;
--reuse measures again in the database a --keep run left). DEBUG off.

Fixture: `load_demo` (users of every role, products), then --customers customers shared by
the two reps, each with a year of business as the services leave it: one shipment a month
(an order, its line, the shipment and its line), the consolidated invoice of each closed
month (合計請求書, with its archive entry, the previous balance, the payments it reports and
the amount carried over), and the payment of each invoice on its due date, matched to it;
one customer in seven stopped paying four months ago (overdue receivables). The first
1,000 customers close on the 20th (20日締め) and have three shipments not yet invoiced in
the period that closes on the 20th of last month: the closing preview's work.
Rows are written with COPY (bench/fixtures.py `stream`).

Measured in-process (Django's test client, signed in as the role: the whole stack, no
network), after warm-up: the receivables aging page, one customer's 売掛金元帳 for a year,
the closing preview of the 1,000 customers closing on the 20th, and the managers' dashboard;
printed: median and p95 in ms and the statements per request, beside the bare SQL that the
same figures need, timed the same way in the same run. Goals (issue #15): p95 under 300 ms,
the closing preview under 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from common import (
    QueryCounter,
    analyze,
    checked_database,
    database_argument,
    database_exists,
    p95,
    scratch_dir,
    setup_django,
    throwaway_database,
)

BENCH_DB = "bo_bench_month_end"
PAGE_GOAL_MS, PREVIEW_GOAL_MS = 300, 2000
PREVIEW_CUSTOMERS = 1_000
MONTHS = 12


@dataclass
class Screen:
    name: str
    username: str
    request: Callable  # (client) -> response
    baseline: Callable  # () -> object: the bare SQL of the same figures
    goal_ms: int = PAGE_GOAL_MS


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _add_months(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _closing_date(year: int, month: int, closing_day: int) -> dt.date:
    return _month_end(year, month) if closing_day == 31 else dt.date(year, month, closing_day)


def preview_date(today: dt.date) -> dt.date:
    """The closing date the preview shows: the 20th of last month (in the past, not yet closed)."""
    year, month = _add_months(today, -1)
    return dt.date(year, month, 20)


def _fixture(customer_count: int) -> None:
    import fixtures
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from billing.models import Allocation, Invoice, InvoiceShipment, Payment
    from documents.models import IssuedDocument
    from inventory.models import Product
    from orders.models import Customer, Order, OrderLine, Shipment, ShipmentLine

    fixtures.migrate()
    call_command("load_demo", stdout=io.StringIO())
    users = get_user_model().objects
    admin = users.get(username="sales_admin")
    reps = list(users.filter(username__in=["rep1", "rep2"]).order_by("username"))
    products = list(Product.objects.filter(is_active=True).order_by("sku"))
    today = timezone.localdate()
    now = timezone.now()
    last_preview = preview_date(today)

    first_customer = fixtures.next_id(Customer)
    customers = []  # (id, closing day, rep id)
    for n in range(customer_count):
        closing_day = 20 if n < PREVIEW_CUSTOMERS else 31
        customers.append((first_customer + n, closing_day, reps[n % 2].pk))
    fixtures.stream(
        Customer,
        (
            Customer(
                id=cid,
                code=f"M{cid:06d}",
                name=f"月末商事{cid}株式会社",
                name_kana=f"ゲツマツシヨウジ{cid}",
                name_kana_key=f"ゲツマツシヨウジ{cid}",
                sales_rep_id=rep,
                closing_day=closing_day,
                payment_month_offset=1,
                payment_day=31,
                created_at=now,
            )
            for cid, closing_day, rep in customers
        ),
    )

    ids = {model: fixtures.next_id(model) for model in (Order, OrderLine, Shipment, ShipmentLine)}
    ids.update({model: fixtures.next_id(model) for model in (IssuedDocument, Invoice, Payment, InvoiceShipment)})
    orders, order_lines, shipments, shipment_lines = [], [], [], []
    documents, invoices, links, payments, allocations = [], [], [], [], []

    def take(model) -> int:
        ids[model] += 1
        return ids[model] - 1

    def ship(cid: int, rep: int, day: dt.date, index: int, invoiced: bool) -> tuple[int, Decimal, Decimal, int]:
        product = products[(cid + index) % len(products)]
        quantity = 1 + (cid + index) % 9
        amount = (quantity * product.list_price).quantize(Decimal(1))
        rate = product.tax_rate
        tax = (amount * rate / 100).quantize(Decimal(1), rounding="ROUND_DOWN")
        breakdown = [{"rate": rate, "subtotal": str(amount), "tax": str(tax), "total": str(amount + tax)}]
        money = {"subtotal": amount, "tax_total": tax, "total": amount + tax, "tax_breakdown": breakdown}
        oid, olid, sid = take(Order), take(OrderLine), take(Shipment)
        status = "invoiced" if invoiced else "shipped"
        orders.append(
            Order(id=oid, number=f"SO-M-{oid:07d}", customer_id=cid, order_date=day, status=status,
                  entered_by=admin, **money)
        )  # fmt: skip
        order_lines.append(
            OrderLine(id=olid, order_id=oid, position=1, product_id=product.pk, sku=product.sku,
                      description=product.name, quantity=quantity, unit=product.unit,
                      unit_price=product.list_price, tax_rate=rate, amount=amount,
                      tracks_stock=False, shipped_quantity=quantity)
        )  # fmt: skip
        shipments.append(
            Shipment(id=sid, number=f"DN-M-{sid:07d}", order_id=oid, customer_id=cid, status="shipped",
                     shipped_on=day, invoiced=invoiced, sales_rep_id=rep, tax_mode="exclusive",
                     created_by=admin, shipped_by=admin, created_at=now, **money)
        )  # fmt: skip
        shipment_lines.append(
            ShipmentLine(id=take(ShipmentLine), shipment_id=sid, order_line_id=olid, quantity=quantity,
                         amount=amount, net_amount=amount, unit_cost=product.cost or 0)
        )  # fmt: skip
        return sid, amount, tax, rate

    sequence = 0
    for cid, closing_day, rep in customers:
        # The closed periods: the 12 closing dates before the open one.
        if closing_day == 20:
            year, month = _add_months(last_preview, -1)
        else:
            year, month = _add_months(today, -1)
        periods = []
        for back in range(MONTHS - 1, -1, -1):
            y, m = _add_months(dt.date(year, month, 1), -back)
            periods.append(_closing_date(y, m, closing_day))
        stops_paying = cid % 7 == 0
        previous_total = Decimal(0)
        unreported: list = []  # payments no invoice has reported yet
        for k, period_end in enumerate(periods):
            period_start = (periods[k - 1] + dt.timedelta(days=1)) if k else period_end.replace(day=1)
            sid, amount, tax, rate = ship(cid, rep, period_start + dt.timedelta(days=5), k, True)
            invoice_id, document_id = take(Invoice), take(IssuedDocument)
            sequence += 1
            number = f"INV-M-{sequence:07d}"
            due_year, due_month = _add_months(period_end, 1)
            due = _month_end(due_year, due_month)
            reported = [p for p in unreported if p.received_on <= period_end]
            unreported = [p for p in unreported if p.received_on > period_end]
            for payment in reported:
                payment.reported_on_id = invoice_id
            received_total = sum((p.amount for p in reported), Decimal(0))
            carried = previous_total - received_total
            sales_total = amount + tax
            total = carried + sales_total
            paid_in_full = due < today and not (stops_paying and k >= MONTHS - 4)
            documents.append(
                IssuedDocument(id=document_id, kind="consolidated_invoice", number=number, base_number=number,
                               fiscal_year=period_end.year, sequence=sequence, document_date=period_end,
                               issued_at=now, counterparty_kind="customer", counterparty_id=cid,
                               counterparty_name=f"月末商事{cid}株式会社", amount=total, data={})
            )  # fmt: skip
            invoices.append(
                Invoice(id=invoice_id, number=number, kind="consolidated", customer_id=cid,
                        status="paid" if paid_in_full else "issued", issue_date=period_end,
                        period_start=period_start, period_end=period_end, due_date=due, tax_mode="exclusive",
                        previous_balance=previous_total, payments_received=received_total, credits=0,
                        carried_over=carried, sales_amount=amount, tax_total=tax, sales_total=sales_total,
                        total=total, tax_breakdown=[{"rate": rate, "subtotal": str(amount), "tax": str(tax),
                                                     "total": str(sales_total)}],
                        paid_amount=sales_total if paid_in_full else 0, document_id=document_id,
                        created_by=admin, created_at=now)
            )  # fmt: skip
            links.append(InvoiceShipment(id=take(InvoiceShipment), invoice_id=invoice_id, shipment_id=sid))
            if paid_in_full:
                payment = Payment(id=take(Payment), customer_id=cid, received_on=due, amount=sales_total,
                                  allocated_amount=sales_total, payer_name=f"ゲツマツシヨウジ{cid}",
                                  created_by=admin, created_at=now)  # fmt: skip
                payments.append(payment)
                unreported.append(payment)
                allocations.append(Allocation(invoice_id=invoice_id, payment_id=payment.pk, amount=sales_total))
            previous_total = total
        if closing_day == 20:  # the open period the preview closes
            start = periods[-1] + dt.timedelta(days=1)
            for index in range(3):
                ship(cid, rep, start + dt.timedelta(days=3 + 7 * index), 100 + index, False)

    for model, rows in (
        (Order, orders),
        (OrderLine, order_lines),
        (Shipment, shipments),
        (ShipmentLine, shipment_lines),
        (IssuedDocument, documents),
        (Invoice, invoices),
        (InvoiceShipment, links),
        (Payment, payments),
        (Allocation, allocations),
    ):
        fixtures.stream(model, rows)
    fixtures.reset_sequences(
        Customer, Order, OrderLine, Shipment, ShipmentLine, IssuedDocument, Invoice, InvoiceShipment, Payment
    )
    analyze()


AGING_SQL = """
SELECT i.customer_id,
       SUM(CASE WHEN i.due_date >= %(d)s THEN i.sales_total - i.paid_amount ELSE 0 END),
       SUM(CASE WHEN i.due_date BETWEEN %(d)s - 30 AND %(d)s - 1 THEN i.sales_total - i.paid_amount ELSE 0 END),
       SUM(CASE WHEN i.due_date BETWEEN %(d)s - 60 AND %(d)s - 31 THEN i.sales_total - i.paid_amount ELSE 0 END),
       SUM(CASE WHEN i.due_date < %(d)s - 60 THEN i.sales_total - i.paid_amount ELSE 0 END)
FROM billing_invoice i
WHERE i.status <> 'cancelled' AND i.issue_date <= %(d)s
GROUP BY i.customer_id HAVING SUM(i.sales_total - i.paid_amount - i.credited_amount) <> 0
ORDER BY i.customer_id LIMIT 50
"""

LEDGER_SQL = """
SELECT issue_date, number, sales_total, 0 FROM billing_invoice
 WHERE customer_id = %(c)s AND status <> 'cancelled' AND issue_date BETWEEN %(f)s AND %(t)s
UNION ALL
SELECT received_on, '', 0, amount FROM billing_payment WHERE customer_id = %(c)s AND received_on BETWEEN %(f)s AND %(t)s
UNION ALL
SELECT NULL, '', SUM(sales_total), 0 FROM billing_invoice
 WHERE customer_id = %(c)s AND status <> 'cancelled' AND issue_date < %(f)s
UNION ALL
SELECT NULL, '', 0, SUM(amount) FROM billing_payment WHERE customer_id = %(c)s AND received_on < %(f)s
ORDER BY 1, 2
"""

PREVIEW_SQL = """
SELECT s.customer_id, SUM(l.net_amount), SUM(s.tax_total),
       (SELECT i.total FROM billing_invoice i WHERE i.customer_id = s.customer_id AND i.kind = 'consolidated'
         AND i.status <> 'cancelled' ORDER BY i.period_end DESC LIMIT 1),
       (SELECT COALESCE(SUM(p.amount), 0) FROM billing_payment p WHERE p.customer_id = s.customer_id
         AND p.reported_on_id IS NULL AND p.received_on <= %(d)s)
FROM orders_shipment s JOIN orders_shipmentline l ON l.shipment_id = s.id
JOIN orders_customer c ON c.id = s.customer_id
WHERE c.closing_day = %(day)s AND s.status = 'shipped' AND NOT s.invoiced AND s.shipped_on <= %(d)s
GROUP BY s.customer_id ORDER BY s.customer_id
"""

DASHBOARD_SQL = """
SELECT date_trunc('month', s.shipped_on), s.sales_rep_id, SUM(l.net_amount), SUM(l.quantity * l.unit_cost)
FROM orders_shipmentline l JOIN orders_shipment s ON s.id = l.shipment_id
WHERE s.status = 'shipped' AND s.shipped_on BETWEEN %(f)s AND %(t)s
GROUP BY 1, 2
"""


def _sql(statement: str, params: dict) -> Callable[[], list]:
    def run() -> list:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    return run


def _screens() -> list[Screen]:
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from orders.models import Customer

    today = timezone.localdate()
    year_ago = dt.date(today.year - 1, today.month, 1)
    customer = Customer.objects.filter(code__startswith="M", closing_day=31).order_by("pk")[7]
    ledger_url = reverse("billing:customer_ledger", args=[customer.pk])
    ledger_query = {"date_from": f"{year_ago:%Y-%m-%d}", "date_to": f"{today:%Y-%m-%d}"}
    closing = preview_date(today)
    screens = [
        Screen(
            "receivables aging (sales admin)",
            "sales_admin",
            lambda c: c.get(reverse("billing:receivables")),
            _sql(AGING_SQL, {"d": today}),
        ),
        Screen(
            "売掛金元帳, one customer, a year",
            "sales_admin",
            lambda c: c.get(ledger_url, ledger_query),
            _sql(LEDGER_SQL, {"c": customer.pk, "f": year_ago, "t": today}),
        ),
    ]
    try:
        preview_url = reverse("billing:closing_preview")
    except NoReverseMatch:
        print("(no closing preview screen in this checkout: billing:closing_preview)")
    else:
        screens.append(
            Screen(
                f"closing preview, {PREVIEW_CUSTOMERS:,} customers",
                "sales_admin",
                lambda c: c.get(preview_url, {"closing_date": f"{closing:%Y-%m-%d}"}),
                _sql(PREVIEW_SQL, {"d": closing, "day": 20}),
                goal_ms=PREVIEW_GOAL_MS,
            )
        )
    screens.append(
        Screen(
            "dashboard (manager)",
            "manager",
            lambda c: c.get(reverse("reports:dashboard")),
            _sql(DASHBOARD_SQL, {"f": year_ago, "t": today}),
        )
    )
    return screens


def _measure(screen: Screen, client, requests: int) -> dict:
    from django.db import connection

    for _ in range(3):
        response = screen.request(client)
        assert response.status_code == 200, (screen.name, response.status_code)
        screen.baseline()
    samples, base, counter = [], [], QueryCounter()
    with connection.execute_wrapper(counter):
        for _ in range(requests):
            started = time.perf_counter()
            screen.request(client)
            samples.append((time.perf_counter() - started) * 1000)
    queries = counter.count / requests
    for _ in range(requests):
        started = time.perf_counter()
        screen.baseline()
        base.append((time.perf_counter() - started) * 1000)
    return {
        "median": statistics.median(samples),
        "p95": p95(samples),
        "queries": queries,
        "base_median": statistics.median(base),
        "base_p95": p95(base),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    database_argument(parser, BENCH_DB)
    args = parser.parse_args()
    name = checked_database(args.database)
    reuse = args.reuse and database_exists(name)
    with throwaway_database(name, keep=args.keep or args.reuse, create=not reuse):
        setup_django(
            name,
            SECURE_SSL_REDIRECT="false",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            STATIC_ROOT=str(scratch_dir("bench-month-end-static-")),
        )
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off serves the manifest's names
        from django.contrib.auth import get_user_model
        from django.test import Client

        from billing.models import Invoice, Payment
        from orders.models import Customer

        if not reuse:
            started = time.perf_counter()
            _fixture(args.customers)
            print(f"fixture: {time.perf_counter() - started:.0f} s")
        print(
            f"{Customer.objects.count():,} customers, {Invoice.objects.count():,} invoices, "
            f"{Payment.objects.count():,} payments"
        )
        clients, rows = {}, []
        for screen in _screens():
            if screen.username not in clients:
                clients[screen.username] = Client()
                clients[screen.username].force_login(get_user_model().objects.get(username=screen.username))
            requests = max(5, args.requests // 5) if screen.goal_ms == PREVIEW_GOAL_MS else args.requests
            rows.append((screen, _measure(screen, clients[screen.username], requests)))
        print(f"\nms of server time, {args.requests} requests per page (the preview a fifth of that)\n")
        print(f"{'screen':36} {'median':>8} {'p95':>8} {'queries':>8} | {'bare SQL median':>15} {'p95':>8} | goal")
        for screen, r in rows:
            verdict = "met" if r["p95"] < screen.goal_ms else "NOT MET"
            print(
                f"{screen.name:36} {r['median']:8.1f} {r['p95']:8.1f} {r['queries']:8.1f} | "
                f"{r['base_median']:15.1f} {r['base_p95']:8.1f} | p95 < {screen.goal_ms} ms {verdict}"
            )


if __name__ == "__main__":
    main()
