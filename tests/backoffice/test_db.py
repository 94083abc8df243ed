"""backoffice.db.update_rows: bulk_update's result in one plain statement per batch."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.db import update_rows
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


# --- compiled_rows --------------------------------------------------------------------------------


@pytest.fixture
def fresh_compiled(monkeypatch):
    from backoffice import db

    monkeypatch.setattr(db, "_compiled", {})
    return db._compiled


def _limits_between(low: int, customer: int, since: dt.date):
    """Customers other than one, with a credit limit above `low`, created on or after a day."""
    from django.db.models import Sum

    return (
        Customer.objects.filter(credit_limit__gt=low, created_at__date__gte=since)
        .exclude(pk=customer)
        .values("closing_day")
        .annotate(total=Sum("credit_limit"))
        .order_by("closing_day")
        .values_list("closing_day", "total")
    )


def test_compiled_rows_match_the_queryset_for_every_argument(fresh_compiled):
    from backoffice.db import compiled_rows

    today = dt.date.today()
    a = CustomerFactory(credit_limit=Decimal(1_000_000), closing_day=20)
    CustomerFactory(credit_limit=Decimal(500_000), closing_day=20)
    CustomerFactory(credit_limit=Decimal(2_000_000), closing_day=31)
    CustomerFactory(credit_limit=Decimal(100), closing_day=31)
    cases = [
        (0, a.pk, today),
        (200, a.pk, today),
        (200, 0, today),
        (600_000, a.pk, today),
        (0, a.pk, today + dt.timedelta(days=1)),
    ]
    for low, customer, since in cases:
        expected = [tuple(row) for row in _limits_between(low, customer, since)]
        got = compiled_rows(_limits_between, low=low, customer=customer, since=since)
        assert got == expected, (low, customer, since)
    assert fresh_compiled[_limits_between] is not None  # compiled once, not evaluated as a queryset
    assert compiled_rows(_limits_between, low=200, customer=a.pk, since=today) == [
        (20, Decimal(500_000)),
        (31, Decimal(2_000_000)),
    ]
    assert all(isinstance(total, Decimal) for _day, total in got)  # the queryset's conversions


def test_compiled_rows_run_one_statement_without_building_the_query_again(fresh_compiled):
    from backoffice.db import compiled_rows

    CustomerFactory(credit_limit=Decimal(5_000), closing_day=10)
    builds = []

    def build(**args):
        builds.append(args)
        return _limits_between(**args)

    compiled_rows(build, low=0, customer=0, since=dt.date(2020, 1, 1))
    builds.clear()
    with CaptureQueriesContext(connection) as captured:
        rows = compiled_rows(build, low=0, customer=0, since=dt.date(2020, 1, 1))
    assert rows == [(10, Decimal(5_000))]
    assert builds == []
    assert len(captured.captured_queries) == 1


def test_what_cannot_be_compiled_once_is_evaluated_each_time(fresh_compiled):
    from backoffice.db import compiled_rows

    CustomerFactory(code="C-1", closing_day=20)
    CustomerFactory(code="C-2", closing_day=31)

    def by_code(code):  # a text argument: no markers for it
        return Customer.objects.filter(code=code).values_list("closing_day")

    assert compiled_rows(by_code, code="C-1") == [(20,)]
    assert compiled_rows(by_code, code="C-2") == [(31,)]
    assert by_code not in fresh_compiled  # not compiled, and no entry that would stop a later call from compiling

    def value_shaped(day):  # SQL that depends on the value
        return Customer.objects.filter(closing_day__in=range(day, 32)).values_list("code").order_by("code")

    assert compiled_rows(value_shaped, day=25) == [("C-2",)]
    assert compiled_rows(value_shaped, day=1) == [("C-1",), ("C-2",)]
    assert fresh_compiled[value_shaped] is None


def test_the_sales_flows_hot_reads_compile_once():
    """The reads of every confirm and shipment use compiled_rows: they must really compile
    (on this database), not fall back to building the query each time."""
    from backoffice.db import _compile
    from billing.services import _closings_after, _credit_query
    from orders.services import _all_invoiced, _exposure_query, _pending_on_shipments

    for build, args in [
        (_exposure_query, {"customer": 1, "order": 2}),
        (_pending_on_shipments, {"order": 1}),
        (_all_invoiced, {"order": 1}),
        (_closings_after, {"customer": 1, "day": dt.date(2026, 11, 30)}),
        (_credit_query, {"customer": 1}),
    ]:
        compiled = _compile(build, args)
        assert compiled is not None, build.__name__
        assert {name for _index, name, _text in compiled.slots} == set(args)
