"""Benchmark (not a test): the closing run (締め処理) for 1,000 and 10,000 customers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything .venv/bin/python bench/closing.py [--full] [--keep]

Uses the server of DATABASE_URL but its own throwaway database (bo_bench_closing, dropped
and re-created, dropped again at the end unless --keep), with DEBUG off.

Data is written with bulk inserts: consolidated customers with 10 shipped, uninvoiced
shipments each (one line each), a group of customers per closing day so each run has
its own customers. Printed per run: invoices per second, queries per customer, and beside
them the baseline measured in the same run: the bare SQL a closing cannot do without
(read the period's shipments grouped by customer and insert one row per customer).

Checks: the 10k run takes less than 12x the 1k run (linear), and the queries per
customer are the same for 10 and for 20 shipments per customer (no per-shipment queries).
PDF rendering (embedded TrueType font, on commit, in process) is measured for 1,000
customers; --full also renders for 10,000 (several minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DB = "bo_bench_closing"
YEAR, MONTH = 2025, 11


def _server_url(database: str) -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", ""))
    if not parts.scheme.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def _recreate_database(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(_server_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DATABASE_URL"] = _server_url(BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()


def _prepare():
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from backoffice.models import BankAccount, CompanyProfile
    from backoffice.roles import Role

    call_command("migrate", verbosity=0)
    profile = CompanyProfile.objects.order_by("pk").first()
    profile.name, profile.address, profile.registration_number = (
        "株式会社ベンチ商事",
        "東京都千代田区1-1",
        "T7000012050002",
    )
    profile.save()
    BankAccount.objects.create(
        company=profile,
        bank_name="みずほ銀行",
        branch_name="東京営業部",
        account_number="1234567",
        account_holder_kana="カ)ベンチシヨウジ",
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("bench-admin", password=secrets.token_urlsafe(12))
    user.groups.add(Group.objects.get(name=Role.SALES_ADMIN.value))
    return user


def _create_customers(count: int, closing_day: int, shipments_each: int, user) -> None:
    """Customers, orders, order lines, shipments and shipment lines, all by bulk insert."""
    from orders.models import Customer, Order, OrderLine, Shipment, ShipmentLine

    prefix = f"D{closing_day:02d}"
    customers = Customer.objects.bulk_create(
        [
            Customer(code=f"{prefix}-{i:05d}", name=f"株式会社ベンチ顧客{prefix}{i:05d}", closing_day=closing_day)
            for i in range(count)
        ],
        batch_size=2000,
    )
    day = min(closing_day, 28)
    shipped_on = dt.date(YEAR, MONTH, max(1, day - 3))
    tax_breakdown = [{"rate": 10, "subtotal": "12000", "tax": "1200", "total": "13200"}]
    money = {"subtotal": Decimal(12000), "tax_total": Decimal(1200), "total": Decimal(13200)}
    for start in range(0, count, 500):
        chunk = customers[start : start + 500]
        orders = Order.objects.bulk_create(
            [
                Order(
                    number=f"SO-{c.code}-{n}",
                    customer=c,
                    order_date=shipped_on,
                    status="shipped",
                    entered_by=user,
                    tax_breakdown=tax_breakdown,
                    **money,
                )
                for c in chunk
                for n in range(shipments_each)
            ],
            batch_size=2000,
        )
        lines = OrderLine.objects.bulk_create(
            [
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
            ],
            batch_size=2000,
        )
        shipments = Shipment.objects.bulk_create(
            [
                Shipment(
                    number=f"DN-{o.number}",
                    order=o,
                    customer_id=o.customer_id,
                    status="shipped",
                    shipped_on=shipped_on,
                    created_by=user,
                    shipped_by=user,
                    tax_breakdown=tax_breakdown,
                    **money,
                )
                for o in orders
            ],
            batch_size=2000,
        )
        ShipmentLine.objects.bulk_create(
            [
                ShipmentLine(shipment=s, order_line=line, quantity=10, amount=Decimal(12000), net_amount=Decimal(12000))
                for s, line in zip(shipments, lines, strict=True)
            ],
            batch_size=2000,
        )


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _closing(closing_day: int, user, *, render: bool) -> tuple[float, int, int]:
    from django.db import connection

    import documents.services
    from billing.services import closing_run

    closing_date = dt.date(YEAR, MONTH, closing_day)
    original = documents.services._schedule_render
    if not render:
        documents.services._schedule_render = lambda documents: None
    counter = QueryCounter()
    try:
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            run = closing_run(closing_date=closing_date, user=user)
            elapsed = time.perf_counter() - started
    finally:
        documents.services._schedule_render = original
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
    args = parser.parse_args()
    _recreate_database()
    _setup_django()
    try:
        user = _prepare()
        # closing day: (customers, shipments each, render PDFs)
        plan = {
            5: (1_000, 10, False),
            10: (10_000, 10, False),
            15: (1_000, 20, False),
            20: (1_000, 10, True),
        }
        if args.full:
            plan[25] = (10_000, 10, True)
        print("creating data with bulk inserts ...", flush=True)
        for closing_day, (count, each, _render) in plan.items():
            started = time.perf_counter()
            _create_customers(count, closing_day, each, user)
            print(f"  {count:>6,} customers x {each} shipments: {time.perf_counter() - started:6.1f} s", flush=True)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does after bulk loads in production
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
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _recreate_database(drop_only=True)


if __name__ == "__main__":
    main()
