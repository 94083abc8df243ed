"""backoffice.db: update_rows (bulk_update's result in one plain statement per batch) and
insert_rows (bulk_create in batches that stay under the bound-value limit)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice import db
from backoffice.db import insert_rows, update_rows
from backoffice.models import AuditEvent
from inventory.models import StockLevel
from orders.models import Customer
from tests.factories import CustomerFactory
from tests.inventory.factories import ProductFactory, WarehouseFactory, add_stock

pytestmark = pytest.mark.django_db


def test_writes_each_objects_own_values_and_leaves_other_rows_alone():
    a, b, c = CustomerFactory(name="甲"), CustomerFactory(name="乙"), CustomerFactory(name="丙")
    a.name, a.credit_limit, a.closing_day = "株式会社甲", Decimal("1500000"), 20
    b.name, b.credit_limit, b.closing_day = "乙商店", None, 31
    with CaptureQueriesContext(connection) as captured:
        assert update_rows(Customer, [a, b], ["name", "credit_limit", "closing_day"]) == 2
    assert len(captured.captured_queries) == 1
    rows = {row[0]: row[1:] for row in Customer.objects.values_list("pk", "name", "credit_limit", "closing_day")}
    assert rows[a.pk] == ("株式会社甲", Decimal("1500000"), 20)
    assert rows[b.pk] == ("乙商店", None, 31)
    assert rows[c.pk][0] == "丙"


def test_integers_and_timestamps():
    product = ProductFactory()
    main, east = WarehouseFactory(code="MAIN", is_default=True), WarehouseFactory(code="EAST")
    add_stock(product, main, 10)
    add_stock(product, east, 5)
    levels = list(StockLevel.objects.filter(product=product).order_by("warehouse__code"))
    stamp = dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC)
    for level, allocated in zip(levels, (3, 4), strict=True):
        level.allocated, level.updated_at = allocated, stamp
    update_rows(StockLevel, levels, ["allocated", "updated_at"])
    assert list(
        StockLevel.objects.filter(product=product).order_by("warehouse__code").values_list("allocated", "updated_at")
    ) == [(3, stamp), (4, stamp)]


def test_batches_and_nothing_to_do():
    customers = [CustomerFactory() for _ in range(5)]
    for n, customer in enumerate(customers):
        customer.closing_day = n + 1
    with CaptureQueriesContext(connection) as captured:
        assert update_rows(Customer, customers, ["closing_day"], batch_size=2) == 5
    assert len(captured.captured_queries) == 3
    assert sorted(Customer.objects.values_list("closing_day", flat=True)) == [1, 2, 3, 4, 5]
    assert update_rows(Customer, [], ["closing_day"]) == 0


def test_refuses_the_primary_key():
    with pytest.raises(ValueError):
        update_rows(Customer, [CustomerFactory()], ["id"])


def test_insert_rows_writes_every_row_in_batches_under_the_bound_value_limit(monkeypatch, admin_user):
    monkeypatch.setattr(db, "MAX_BOUND_VALUES", 3 * len(AuditEvent._meta.concrete_fields))  # 3 rows a statement
    events = [AuditEvent(actor=admin_user, action="bulk.test", object_type="x", object_id=str(n)) for n in range(7)]
    with CaptureQueriesContext(connection) as queries:
        insert_rows(AuditEvent, events)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 3
    assert sorted(AuditEvent.objects.filter(action="bulk.test").values_list("object_id", flat=True)) == [
        str(n) for n in range(7)
    ]
    insert_rows(AuditEvent, [])  # nothing to do, no statement
