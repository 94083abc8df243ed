"""Benchmark (not a test): stock allocation throughput and availability() latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything .venv/bin/python bench/allocation.py
        [--duration 4] [--keep] [--database bo_bench_alloc]

Uses the server and credentials of DATABASE_URL but its own throwaway database
(bo_bench_alloc or --database, dropped and re-created, dropped again at the end unless
--keep), and production-like settings (DEBUG off). Fixture (bench/fixtures.py): a
complete company profile, the default warehouse, 1,001 products with 1,000,000 each in
stock (a stock take through the service per product).

1. Allocations per second for 8 concurrent worker processes, on one hot product and
   on 1,000 products spread at random: inventory.services.demand_create_and_allocate
   (row locks in fixed order, demand + allocation rows, audit event) next to the
   baseline of a bare conditional UPDATE ... WHERE on_hand - allocated >= n in
   autocommit, through the same connections in the same run. Goal: >= 1/3 of baseline.
2. availability() for a product with 100 open purchase order lines and 1,000 waiting
   backorders, next to the same two SQL statements run bare. Goal: < 20 ms.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import time

from common import database_argument, p95, setup_django, throwaway_database

BENCH_DB = "bo_bench_alloc"
WORKERS = 8
SPREAD_PRODUCTS = 1_000
BIG_STOCK = 1_000_000  # the largest quantity LIMITS allow; plenty for a few seconds

BASELINE_SQL = (
    "UPDATE inventory_stocklevel SET allocated = allocated + %s "
    "WHERE product_id = %s AND warehouse_id = %s AND on_hand - allocated >= %s"
)


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


def _create_products(count: int, prefix: str, *, stock: int, warehouse, supplier) -> list[int]:
    import fixtures

    from inventory.models import Product

    products = fixtures.bulk(
        Product,
        (
            Product(sku=f"{prefix}-{n:05d}", name=f"bench {prefix} {n}", list_price=1000, cost=600, supplier=supplier)
            for n in range(count)
        ),
    )
    fixtures.stock(products, warehouse, stock)
    return [p.pk for p in products]


def _prepare():
    import fixtures

    fixtures.migrate()
    fixtures.company_profile()  # purchase orders print a 発注書: the issuer must be set up
    warehouse = fixtures.default_warehouse()
    supplier = fixtures.supplier()
    hot = _create_products(1, "HOT", stock=BIG_STOCK, warehouse=warehouse, supplier=supplier)
    spread = _create_products(SPREAD_PRODUCTS, "SPR", stock=BIG_STOCK, warehouse=warehouse, supplier=supplier)
    return warehouse.pk, hot, spread


# ---------------------------------------------------------------------------
# Workers
# ---------------------------------------------------------------------------


def _worker(index, barrier, results, warehouse_id, scenarios, duration):
    """One process, one database connection: for each scenario run the baseline and the
    service for `duration` seconds each, starting together with the other workers."""
    import datetime as dt

    from django.db import connection

    from inventory import services
    from inventory.models import Product

    rng = random.Random(index)
    products = {pk: Product(pk=pk, track_stock=True) for _name, ids in scenarios for pk in ids}
    serial = 0
    for name, product_ids in scenarios:
        for method in ("baseline", "service"):
            barrier.wait()
            done = 0
            start = time.perf_counter()
            deadline = start + duration
            while time.perf_counter() < deadline:
                product_id = rng.choice(product_ids)
                quantity = rng.randint(1, 5)
                if method == "baseline":
                    with connection.cursor() as cursor:
                        cursor.execute(BASELINE_SQL, [quantity, product_id, warehouse_id, quantity])
                        done += cursor.rowcount
                else:
                    serial += 1
                    result = services.demand_create_and_allocate(
                        reference=f"bench:{index}:{serial}",
                        product=products[product_id],
                        quantity=quantity,
                        priority_date=dt.date(2026, 11, 1),
                        user=None,
                    )
                    done += 1 if result.allocated_now == quantity else 0
            results.put((name, method, done, time.perf_counter() - start))
    connection.close()


def _measure_allocation(warehouse_id, hot, spread, duration):
    from django.db import connections

    scenarios = [("hot product", hot), (f"{SPREAD_PRODUCTS:,} products", spread)]
    connections.close_all()  # each forked worker opens its own connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    workers = [
        context.Process(target=_worker, args=(i, barrier, results, warehouse_id, scenarios, duration))
        for i in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    totals: dict[tuple[str, str], list[float]] = {}
    for _ in range(WORKERS * len(scenarios) * 2):
        name, method, done, elapsed = results.get()
        entry = totals.setdefault((name, method), [0, 0.0])
        entry[0] += done
        entry[1] = max(entry[1], elapsed)
    for worker in workers:
        worker.join()
        if worker.exitcode:
            sys.exit(f"a worker failed (exit code {worker.exitcode})")

    print(f"\nAllocations per second, {WORKERS} worker processes, {duration:.0f} s each, 1-5 units per allocation")
    print(f"{'scenario':<18}{'baseline UPDATE':>18}{'service':>12}{'ratio':>9}   goal >= 0.33")
    for name, _ids in scenarios:
        base_done, base_time = totals[(name, "baseline")]
        done, elapsed = totals[(name, "service")]
        base_rate, rate = base_done / base_time, done / elapsed
        ratio = rate / base_rate
        verdict = "ok" if ratio >= 1 / 3 else "BELOW GOAL"
        print(f"{name:<18}{base_rate:>16,.0f}/s{rate:>10,.0f}/s{ratio:>9.2f}   {verdict}")


def _measure_availability(warehouse_id, runs=200):
    import datetime as dt

    from django.db import connection

    from inventory import services
    from inventory.models import Product, Supplier
    from inventory.selectors import availability

    supplier = Supplier.objects.get(code="S-BENCH")
    product = Product.objects.create(sku="ATP-1", name="bench availability", list_price=1000, supplier=supplier)
    po = services.purchase_order_create(
        supplier=supplier,
        lines=[
            {"product": product, "quantity": 20, "expected_date": dt.date(2026, 12, 1) + dt.timedelta(days=n)}
            for n in range(100)
        ],
        user=None,
    )
    services.purchase_order_issue(purchase_order=po, user=None)
    services.demands_create_and_allocate(
        requests=[
            services.DemandRequest(
                reference=f"atp:{n}", product=product, quantity=1, priority_date=dt.date(2026, 11, 1)
            )
            for n in range(1_000)
        ],
        user=None,
    )
    product = Product.objects.get(pk=product.pk)

    def timed(call) -> list[float]:
        call()  # warm up
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    bare_sql = [
        (
            "SELECT COALESCE((SELECT SUM(on_hand) FROM inventory_stocklevel WHERE product_id = %s), 0),"
            " COALESCE((SELECT SUM(allocated) FROM inventory_stocklevel WHERE product_id = %s), 0),"
            " COALESCE((SELECT SUM(quantity - allocated - shipped) FROM inventory_stockdemand"
            " WHERE product_id = %s AND status = 'open'), 0)",
            [product.pk] * 3,
        ),
        (
            "SELECT l.expected_date, SUM(l.quantity - l.received_quantity) FROM inventory_purchaseorderline l"
            " JOIN inventory_purchaseorder o ON o.id = l.purchase_order_id"
            " WHERE l.product_id = %s AND o.status IN ('issued', 'partially_received')"
            " AND l.quantity > l.received_quantity GROUP BY l.expected_date ORDER BY l.expected_date",
            [product.pk],
        ),
    ]

    def bare():
        with connection.cursor() as cursor:
            for sql, params in bare_sql:
                cursor.execute(sql, params)
                cursor.fetchall()

    answer = availability(product, 5, on=dt.date(2026, 11, 25))
    assert answer.backordered == 1_000 and len(answer.incoming) == 100, answer
    service = timed(lambda: availability(product, 5, on=dt.date(2026, 11, 25)))
    baseline = timed(bare)

    print(f"\navailability(): 100 open purchase order lines, 1,000 waiting backorders, {runs} runs")
    print(f"{'':<18}{'median':>10}{'p95':>10}")
    print(f"{'bare SQL (2 stmts)':<18}{statistics.median(baseline):>8.2f}ms{p95(baseline):>8.2f}ms")
    verdict = "ok" if p95(service) < 20 else "ABOVE GOAL"
    print(f"{'availability()':<18}{statistics.median(service):>8.2f}ms{p95(service):>8.2f}ms   goal < 20 ms: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per measured phase")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    database_argument(parser, BENCH_DB)
    args = parser.parse_args()

    with throwaway_database(args.database, keep=args.keep):
        setup_django(args.database)
        started = time.perf_counter()
        warehouse_id, hot, spread = _prepare()
        print(f"fixture: {1 + SPREAD_PRODUCTS:,} products in stock in {time.perf_counter() - started:.1f} s")
        _measure_allocation(warehouse_id, hot, spread, args.duration)
        _measure_availability(warehouse_id)


if __name__ == "__main__":
    main()
