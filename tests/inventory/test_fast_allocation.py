"""The PostgreSQL one-statement allocation called outside any transaction (autocommit):
the statement is its own transaction, so it runs without BEGIN / COMMIT; psycopg prepares
it (server-side binding) and must cope with prepared statements being dropped. Skipped
on SQLite."""

import datetime as dt

import pytest
from django.db import connection, transaction

from backoffice.exceptions import StateConflict
from backoffice.models import AuditEvent
from inventory import services
from inventory.models import StockAllocation, StockDemand, StockLevel
from inventory.selectors import stock_ledger_problems
from tests.inventory.factories import ProductFactory, WarehouseFactory, add_stock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def allocate(product, quantity, reference):
    return services.demand_create_and_allocate(
        reference=reference, product=product, quantity=quantity, priority_date=dt.date(2026, 11, 1), user=None
    )


def levels(product):
    return {lv.warehouse.code: (lv.on_hand, lv.allocated) for lv in StockLevel.objects.filter(product=product)}


def test_outside_a_transaction_one_statement_writes_demand_allocation_audit_and_level(
    django_assert_num_queries, monkeypatch
):
    main = WarehouseFactory(code="MAIN", is_default=True)
    product = ProductFactory()
    add_stock(product, main, 50)
    allocate(product, 1, "warm-up")  # prepares the statement on this connection
    switches = []  # transaction.atomic() turns autocommit off (BEGIN) and on again (COMMIT)
    set_autocommit = connection.set_autocommit
    monkeypatch.setattr(connection, "set_autocommit", lambda on, **kw: switches.append(on) or set_autocommit(on, **kw))

    with django_assert_num_queries(1):
        result = allocate(product, 30, "orders.OrderLine:1")

    assert switches == []
    assert result.allocated_now == 30
    assert [(w.warehouse_code, w.quantity) for w in result.warehouses] == [("MAIN", 30)]
    assert levels(product) == {"MAIN": (50, 31)}
    demand = StockDemand.objects.get(reference="orders.OrderLine:1")
    assert (demand.pk, demand.quantity, demand.allocated, demand.status) == (result.demand.pk, 30, 30, "open")
    assert list(StockAllocation.objects.filter(demand=demand).values_list("warehouse__code", "quantity")) == [
        ("MAIN", 30)
    ]
    event = AuditEvent.objects.get(action="stock_demand.create", object_id=str(demand.pk))
    assert event.changes == {"product": product.pk, "quantity": 30, "allocated": 30, "warehouses": {"MAIN": 30}}
    assert stock_ledger_problems() == []


def test_outside_a_transaction_a_short_default_warehouse_takes_the_general_path():
    main = WarehouseFactory(code="MAIN", is_default=True)
    osaka = WarehouseFactory(code="OSAKA")
    product = ProductFactory()
    add_stock(product, main, 10)
    add_stock(product, osaka, 5)

    result = allocate(product, 12, "L:1")

    assert [(w.warehouse_code, w.quantity) for w in result.warehouses] == [("MAIN", 10), ("OSAKA", 2)]
    assert levels(product) == {"MAIN": (10, 10), "OSAKA": (5, 2)}
    assert AuditEvent.objects.filter(action="stock_demand.create").count() == 1
    assert stock_ledger_problems() == []


def test_outside_a_transaction_a_taken_reference_is_a_conflict_and_writes_nothing():
    main = WarehouseFactory(code="MAIN", is_default=True)
    product = ProductFactory()
    add_stock(product, main, 10)
    allocate(product, 2, "L:1")

    with pytest.raises(StateConflict):
        allocate(product, 3, "L:1")

    assert levels(product) == {"MAIN": (10, 2)}
    assert StockDemand.objects.count() == 1
    assert AuditEvent.objects.filter(action="stock_demand.create").count() == 1


def test_a_dropped_prepared_statement_is_prepared_again():
    main = WarehouseFactory(code="MAIN", is_default=True)
    product = ProductFactory()
    add_stock(product, main, 10)
    for n in range(3):  # past the prepare threshold
        allocate(product, 1, f"L:{n}")

    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert allocate(product, 1, "L:3").allocated_now == 1
    with transaction.atomic():
        assert allocate(product, 1, "L:4").allocated_now == 1

    assert levels(product) == {"MAIN": (10, 5)}
    assert sorted(StockDemand.objects.values_list("reference", flat=True)) == ["L:0", "L:1", "L:2", "L:3", "L:4"]
    assert stock_ledger_problems() == []


def test_the_one_statement_and_the_general_path_write_the_same_audit_event(admin_user):
    main = WarehouseFactory(code="MAIN", is_default=True)
    osaka = WarehouseFactory(code="OSAKA")
    product = ProductFactory()
    add_stock(product, main, 10)
    add_stock(product, osaka, 5)
    label = "受注 SO-2026-000007 の 2 行目"

    def create(reference, quantity):
        result = services.demand_create_and_allocate(
            reference=reference,
            label=label,
            product=product,
            quantity=quantity,
            priority_date=dt.date(2026, 11, 1),
            user=admin_user,
        )
        row = AuditEvent.objects.get(action="stock_demand.create", object_id=str(result.demand.pk))
        return (row.actor, row.object_type, row.object_repr, row.changes)

    fast = create("L:1", 3)  # the default warehouse has it all: the one statement
    general = create("L:2", 9)  # it has 7 left: row locks and the warehouse rule

    assert fast == (
        admin_user,
        "inventory.stockdemand",
        label,
        {"product": product.pk, "quantity": 3, "allocated": 3, "warehouses": {"MAIN": 3}},
    )
    assert general == (
        admin_user,
        "inventory.stockdemand",
        label,
        {"product": product.pk, "quantity": 9, "allocated": 9, "warehouses": {"MAIN": 7, "OSAKA": 2}},
    )
