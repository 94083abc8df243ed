"""Benchmark (not a test): the closing run (締め処理) for 1,000 and 10,000 customers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything .venv/bin/python bench/closing.py [--full] [--keep]
        [--customers 1000] [--database bo_bench_closing]

Uses the server of DATABASE_URL but its own throwaway database (bo_bench_closing or
--database, dropped and re-created, dropped again at the end unless --keep), with DEBUG
off. --customers scales the runs (1,000 and 10x that; keep the default for the figures).

Data is built as model instances and written in bulk (bench/fixtures.py): consolidated
customers with 10 shipped, uninvoiced shipments each (one line each), a group of
customers per closing day so each run has its own customers. Printed per run: invoices
per second, queries per customer, and beside them the baseline measured in the same run:
the bare SQL a closing cannot do without (read the period's shipments grouped by
customer and insert one row per customer).

Checks: the 10k run takes less than 12x the 1k run (linear), and the queries per
customer are the same for 10 and for 20 shipments per customer (no per-shipment queries).
PDF rendering (embedded TrueType font, on commit, in process) is measured for 1,000
customers; --full also renders for 10,000 (several minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from decimal import Decimal

from common import QueryCounter, analyze, database_argument, setup_django, throwaway_database

BENCH_DB = "bo_bench_closing"
YEAR, MONTH = 2025, 11


def _prepare():
    import fixtures

    from backoffice.roles import Role

    fixtures.migrate()
    fixtures.company_profile(
        name="株式会社ベンチ商事",
        postal_code="",
        address="東京都千代田区1-1",
        phone="",
        email="",
        bank={"account_holder_kana": "カ)ベンチシヨウジ"},
    )
    return fixtures.user("bench-admin", role=Role.SALES_ADMIN.value)


def _create_customers(count: int, closing_day: int, shipments_each: int, user) -> None:
    """Customers, orders, order lines, shipments and shipment lines, built as model instances."""
    import fixtures

    from orders.models import Customer, Order, OrderLine, Shipment, ShipmentLine

    prefix = f"D{closing_day:02d}"
    customers = fixtures.bulk(
        Customer,
        (
            Customer(code=f"{prefix}-{i:05d}", name=f"株式会社ベンチ顧客{prefix}{i:05d}", closing_day=closing_day)
            for i in range(count)
        ),
    )
    day = min(closing_day, 28)
    shipped_on = dt.date(YEAR, MONTH, max(1, day - 3))
    tax_breakdown = [{"rate": 10, "subtotal": "12000", "tax": "1200", "total": "13200"}]
    money = {"subtotal": Decimal(12000), "tax_total": Decimal(1200), "total": Decimal(13200)}
    for start in range(0, count, 500):
        chunk = customers[start : start + 500]
        orders = fixtures.bulk(
            Order,
            (
                Order(
                    number=f"SO-{c.code}-{n}",
                    customer=c,
                    order_date=shipped_on,
                    status=Order.Status.SHIPPED,
                    entered_by=user,
                    tax_breakdown=tax_breakdown,
                    **money,
                )
                for c in chunk
                for n in range(shipments_each)
            ),
        )
        lines = fixtures.bulk(
            OrderLine,
            (
                OrderLine(
                    order=o,
                    position=1,
                    sku="B-1",
                    description="ベンチ商品",
                    quantity=10,
                    unit="個",
                    unit_price=Decimal(1200),
                    tax_rate=10,
                    amount=Decimal(12000),
                    tracks_stock=False,
                    shipped_quantity=10,
                )
                for o in orders
            ),
        )
        shipments = fixtures.bulk(
            Shipment,
            (
                Shipment(
                    number=f"DN-{o.number}",
                    order=o,
                    customer_id=o.customer_id,
                    status=Shipment.Status.SHIPPED,
                    shipped_on=shipped_on,
                    created_by=user,
                    shipped_by=user,
                    tax_breakdown=tax_breakdown,
                    **money,
                )
                for o in orders
            ),
        )
        fixtures.bulk(
            ShipmentLine,
            (
                ShipmentLine(shipment=s, order_line=line, quantity=10, amount=Decimal(12000), net_amount=Decimal(12000))
                for s, line in zip(shipments, lines, strict=True)
            ),
        )


def _closing(closing_day: int, user, *, render: bool) -> tuple[float, int, int]:
    from django.db import connection

    import documents.services
    from billing.services import closing_run

    closing_date = dt.date(YEAR, MONTH, closing_day)
    original = documents.services.issue._schedule_render
    if not render:
        documents.services.issue._schedule_render = lambda documents: None
    counter = QueryCounter()
    try:
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            run = closing_run(closing_date=closing_date, user=user)
            elapsed = time.perf_counter() - started
    finally:
        documents.services.issue._schedule_render = original
    return elapsed, run.invoices_created, counter.count


def _baseline(closing_day: int) -> float:
    """The bare SQL: shipments of the period summed per customer, one row inserted per customer."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_invoice (customer_id bigint, total numeric)")
        cursor.execute(
            "INSERT INTO bench_invoice SELECT s.customer_id, SUM(l.amount) FROM orders_shipment s "
            "JOIN orders_shipmentline l ON l.shipment_id = s.id JOIN orders_customer c ON c.id = s.customer_id "
            "WHERE c.closing_day = %s AND s.status = 'shipped' AND NOT s.invoiced GROUP BY s.customer_id",
            [closing_day],
        )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="also render PDFs for the 10,000-customer run")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--customers",
        type=int,
        default=1_000,
        help="customers of the small runs (the large run has 10x as many); 1,000 for the figures",
    )
    database_argument(parser, BENCH_DB)
    args = parser.parse_args()
    with throwaway_database(args.database, keep=args.keep):
        setup_django(args.database)
        user = _prepare()
        # closing day: (customers, shipments each, render PDFs)
        small, large = args.customers, 10 * args.customers
        plan = {
            5: (small, 10, False),
            10: (large, 10, False),
            15: (small, 20, False),
            20: (small, 10, True),
        }
        if args.full:
            plan[25] = (large, 10, True)
        print("creating data with bulk inserts ...", flush=True)
        for closing_day, (count, each, _render) in plan.items():
            started = time.perf_counter()
            _create_customers(count, closing_day, each, user)
            print(f"  {count:>6,} customers x {each} shipments: {time.perf_counter() - started:6.1f} s", flush=True)
        analyze()
        results = {}
        for closing_day, (count, each, render) in plan.items():
            baseline = _baseline(closing_day)
            elapsed, created, queries = _closing(closing_day, user, render=render)
            results[closing_day] = (count, each, render, elapsed, created, queries, baseline)
        print("\nClosing run (PostgreSQL, one process, batches of 500 customers)")
        header = f"{'customers':>9} {'shipments':>9} {'PDF':>4} {'time':>8} {'invoices/s':>11} {'queries/cust':>13}"
        print(f"{header} {'baseline SQL':>13} {'x baseline':>10}")
        for count, each, render, elapsed, created, queries, baseline in results.values():
            print(
                f"{count:>9,} {count * each:>9,} {'yes' if render else 'no':>4} {elapsed:>7.1f}s "
                f"{created / elapsed:>11.1f} {queries / count:>13.2f} {baseline:>12.2f}s {elapsed / baseline:>10.0f}"
            )
        one, ten, twenty = results[5], results[10], results[15]
        ratio = ten[3] / one[3]
        print(f"\n10k / 1k time: {ratio:.1f}x   goal < 12x: {'ok' if ratio < 12 else 'NOT MET'}")
        same = abs(one[5] / one[0] - twenty[5] / twenty[0]) < 0.01
        print(
            f"queries per customer, 10 vs 20 shipments each: {one[5] / one[0]:.2f} vs {twenty[5] / twenty[0]:.2f}"
            f"   goal equal: {'ok' if same else 'NOT MET'}"
        )
        assert all(r[4] == r[0] for r in results.values()), "every customer gets one invoice"


if __name__ == "__main__":
    main()
