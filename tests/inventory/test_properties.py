"""Hypothesis: whatever sequence of stock operations runs, the invariants hold."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.exceptions import DomainError
from inventory import services
from inventory.models import StockDemand, StockLevel, StockMove
from inventory.selectors import stock_ledger_problems

pytestmark = pytest.mark.django_db

operations = st.lists(
    st.one_of(
        st.tuples(st.just("count"), st.integers(0, 1), st.integers(0, 30)),
        st.tuples(st.just("demand"), st.integers(1, 15), st.integers(1, 5)),
        st.tuples(st.just("release"), st.integers(0, 9), st.integers(1, 10)),
        st.tuples(st.just("change"), st.integers(0, 9), st.integers(1, 15)),
        st.tuples(st.just("cancel"), st.integers(0, 9), st.just(0)),
        st.tuples(st.just("ship"), st.integers(0, 9), st.integers(1, 10)),
        st.tuples(st.just("receive"), st.integers(1, 20), st.integers(0, 1)),
        st.tuples(st.just("transfer"), st.integers(0, 1), st.integers(1, 10)),
    ),
    min_size=1,
    max_size=25,
)


def state(product):
    levels = list(StockLevel.objects.filter(product=product).order_by("pk").values_list("on_hand", "allocated"))
    demands = list(StockDemand.objects.order_by("pk").values_list("quantity", "allocated", "shipped", "status"))
    return levels, demands, StockMove.objects.count()


def run(op, product, warehouses, demands):
    name, a, b = op
    demand = demands[a % len(demands)] if demands else None
    if name == "count":
        services.stock_take(product=product, warehouse=warehouses[a], counted_quantity=b, reason="count", user=None)
    elif name == "demand":
        result = services.demand_create_and_allocate(
            reference=f"L:{len(demands)}",
            product=product,
            quantity=a,
            priority_date=dt.date(2026, 11, b),
            user=None,
        )
        demands.append(result.demand)
    elif name == "receive":
        po = services.purchase_order_create(
            supplier=product.supplier, warehouse=warehouses[b], lines=[{"product": product, "quantity": a}], user=None
        )
        po = services.purchase_order_issue(purchase_order=po, user=None)
        services.purchase_order_receive(purchase_order=po, lines=[{"line": po.lines.get(), "quantity": a}], user=None)
    elif name == "transfer":
        services.stock_transfer(
            product=product, from_warehouse=warehouses[a], to_warehouse=warehouses[1 - a], quantity=b, user=None
        )
    elif demand is None:
        return
    elif name == "release":
        services.demand_release(demand=demand, quantity=b, user=None)
    elif name == "change":
        services.demand_change_quantity(demand=demand, quantity=b, user=None)
    elif name == "cancel":
        services.demand_cancel(demand=demand, user=None)
    elif name == "ship":
        services.demand_ship(demand=demand, quantity=b, reference="S:1", user=None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_stock_invariants_hold_for_any_sequence(ops, product, main_wh, osaka_wh):
    with transaction.atomic():
        demands: list[StockDemand] = []
        released = False
        for op in ops:
            released = released or op[0] == "release"
            before = state(product)
            try:
                # One caller's step each (an order confirm, a shipment): the demand services
                # join it without a savepoint of their own, so a refused one fails the step.
                with transaction.atomic():
                    run(op, product, [main_wh, osaka_wh], demands)
            except DomainError:
                assert state(product) == before, f"a refused {op[0]} changed something"

            levels = StockLevel.objects.filter(product=product)
            assert all(0 <= lv.allocated <= lv.on_hand for lv in levels)
            assert stock_ledger_problems() == []
            rows = StockDemand.objects.filter(product=product)
            assert all(d.allocated + d.shipped <= d.quantity for d in rows)
            assert sum(lv.allocated for lv in levels) == sum(d.allocated for d in rows if d.status == "open")
            if not released:  # free stock never sits idle while a demand waits (a release may leave it so)
                available = sum(lv.available for lv in levels)
                assert available == 0 or not any(d.backordered for d in rows)
            shipped = -sum(StockMove.objects.filter(kind="shipment").values_list("quantity", flat=True))
            assert shipped == sum(d.shipped for d in rows)
        transaction.set_rollback(True)
