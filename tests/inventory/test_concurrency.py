"""Real parallelism on PostgreSQL: threads with their own connections hammer one
product. Skipped on SQLite (one writer at a time, nothing to race)."""

import datetime as dt
import random
import threading

import pytest
from django.db import connection

from inventory import services
from inventory.models import StockDemand, StockLevel
from inventory.selectors import stock_ledger_problems
from tests.inventory.factories import ProductFactory, WarehouseFactory, add_stock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


def run_in_threads(work, count=THREADS):
    """Start `count` threads at once; return (results per thread, errors)."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def target(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test reports every error
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.parametrize("round_", range(3))
def test_sixteen_threads_never_oversell_200_units(round_):
    warehouse = WarehouseFactory(code="MAIN", is_default=True)
    product = ProductFactory()
    add_stock(product, warehouse, 200)

    def allocate_many(index):
        rng = random.Random(index * 100 + round_)
        reported = 0
        for n in range(25):
            result = services.demand_create_and_allocate(
                reference=f"T{index}-{n}",
                product=product,
                quantity=rng.randint(1, 5),
                priority_date=dt.date(2026, 11, 1),
                user=None,
            )
            reported += result.allocated_now
        return reported

    results, errors = run_in_threads(allocate_many)

    assert errors == []
    level = StockLevel.objects.get(product=product)
    assert level.allocated == sum(results) == 200  # 16 × 25 × 1-5 units wanted: stock runs out
    assert level.on_hand == 200
    assert sum(StockDemand.objects.values_list("allocated", flat=True)) == 200
    assert stock_ledger_problems() == []


def test_mixed_work_on_shared_products_neither_deadlocks_nor_breaks_the_ledger():
    main = WarehouseFactory(code="MAIN", is_default=True)
    osaka = WarehouseFactory(code="OSAKA")
    products = [ProductFactory() for _ in range(3)]
    for product in products:
        add_stock(product, main, 40)
        add_stock(product, osaka, 20)

    def mixed(index):
        rng = random.Random(index)
        for n in range(12):
            chosen = rng.sample(products, k=2)  # lines in different orders in different threads
            results = services.demands_create_and_allocate(
                requests=[
                    services.DemandRequest(
                        reference=f"T{index}-{n}-{p.pk}",
                        product=p,
                        quantity=rng.randint(1, 6),
                        priority_date=dt.date(2026, 11, rng.randint(1, 28)),
                    )
                    for p in chosen
                ],
                user=None,
            )
            action = rng.choice(["ship", "cancel", "release", "return", "keep"])
            first = results[0].demand
            if action == "ship" and first.allocated:
                services.demand_ship(demand=first, quantity=first.allocated, reference=f"S{index}-{n}", user=None)
            elif action == "cancel":
                services.demand_cancel(demand=first, user=None)
            elif action == "release" and first.allocated:
                services.demand_release(demand=first, quantity=1, user=None)
            elif action == "return":
                services.stock_return(
                    product=chosen[1], warehouse=osaka, quantity=rng.randint(1, 3), reference=f"R{index}-{n}", user=None
                )
        return True

    results, errors = run_in_threads(mixed, count=8)

    assert errors == []
    assert all(results)
    assert stock_ledger_problems() == []
    for level in StockLevel.objects.all():
        assert 0 <= level.allocated <= level.on_hand
