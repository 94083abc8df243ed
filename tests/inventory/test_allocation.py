import datetime as dt

import pytest
from django.db import transaction

from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.models import AuditEvent
from backoffice.status import status_history
from inventory import services
from inventory.models import StockAllocation, StockDemand, StockLevel, StockMove
from inventory.selectors import demand_for_reference, demands_by_reference, stock_ledger_problems
from tests.inventory.factories import ProductFactory, WarehouseFactory, add_stock, make_demand, refreshed

pytestmark = pytest.mark.django_db


def levels(product):
    return {lv.warehouse.code: (lv.on_hand, lv.allocated) for lv in StockLevel.objects.filter(product=product)}


def held(demand):
    return {a.warehouse.code: a.quantity for a in StockAllocation.objects.filter(demand=demand, quantity__gt=0)}


def test_demand_allocates_all_when_stock_suffices(product, main_wh, admin_user):
    add_stock(product, main_wh, 50)

    result = make_demand(product, 30, reference="orders.OrderLine:1", user=admin_user)

    assert result.allocated_now == 30
    assert [(w.warehouse_code, w.quantity) for w in result.warehouses] == [("MAIN", 30)]
    assert result.backordered == 0
    assert levels(product) == {"MAIN": (50, 30)}
    demand = refreshed(result.demand)
    assert (demand.quantity, demand.allocated, demand.shipped, demand.status) == (30, 30, 0, "open")
    event = AuditEvent.objects.get(action="stock_demand.create")
    assert event.actor == admin_user
    assert event.changes["allocated"] == 30


def test_demand_allocates_part_and_backorders_the_rest(product, main_wh):
    add_stock(product, main_wh, 30)

    result = make_demand(product, 50)

    assert result.allocated_now == 30
    assert result.backordered == 20
    assert levels(product) == {"MAIN": (30, 30)}


def test_demand_with_no_stock_allocates_nothing(product, main_wh):
    result = make_demand(product, 5)

    assert result.allocated_now == 0
    assert result.warehouses == ()
    assert result.backordered == 5
    assert StockAllocation.objects.count() == 0


def test_default_warehouse_first_then_most_available(product, main_wh, osaka_wh):
    fukuoka = WarehouseFactory(code="FUKUOKA")
    add_stock(product, main_wh, 10)
    add_stock(product, osaka_wh, 5)
    add_stock(product, fukuoka, 8)

    result = make_demand(product, 20)

    assert [(w.warehouse_code, w.quantity) for w in result.warehouses] == [("MAIN", 10), ("FUKUOKA", 8), ("OSAKA", 2)]
    assert held(result.demand) == {"MAIN": 10, "FUKUOKA": 8, "OSAKA": 2}
    assert levels(product) == {"MAIN": (10, 10), "OSAKA": (5, 2), "FUKUOKA": (8, 8)}


def test_batch_allocates_in_request_order(main_wh):
    a, b = ProductFactory(), ProductFactory()
    add_stock(a, main_wh, 10)
    add_stock(b, main_wh, 3)
    requests = [
        services.DemandRequest(reference="L:1", product=a, quantity=4, priority_date=dt.date(2026, 11, 1)),
        services.DemandRequest(reference="L:2", product=b, quantity=5, priority_date=dt.date(2026, 11, 1)),
        services.DemandRequest(reference="L:3", product=a, quantity=7, priority_date=dt.date(2026, 11, 1)),
    ]

    results = services.demands_create_and_allocate(requests=requests, user=None)

    assert [(r.demand.reference, r.allocated_now, r.backordered) for r in results] == [
        ("L:1", 4, 0),
        ("L:2", 3, 2),
        ("L:3", 6, 1),
    ]
    assert stock_ledger_problems() == []


def test_service_product_has_no_demand(service_product, main_wh):
    with pytest.raises(InvalidInput) as error:
        make_demand(service_product, 1)

    assert error.value.field == "product"
    assert StockDemand.objects.count() == 0
    assert StockLevel.objects.count() == 0


@pytest.mark.parametrize("quantity", [0, -3, 1_000_001, "5", 2.5, True])
def test_bad_quantity_is_refused_and_nothing_written(product, main_wh, quantity):
    add_stock(product, main_wh, 10)

    with pytest.raises(InvalidInput) as error:
        make_demand(product, quantity)

    assert error.value.field == "quantity"
    assert StockDemand.objects.count() == 0
    assert levels(product) == {"MAIN": (10, 0)}


def test_live_reference_is_unique_but_reusable_after_cancel(product, main_wh):
    add_stock(product, main_wh, 10)
    first = make_demand(product, 4, reference="orders.OrderLine:9")

    # Demand services join their caller's transaction without a savepoint: the caller's
    # step (here this block, an order confirm in production) fails as a whole.
    with pytest.raises(StateConflict) as error, transaction.atomic():
        make_demand(product, 1, reference="orders.OrderLine:9")
    assert error.value.field == "reference"

    services.demand_cancel(demand=first.demand, user=None)
    again = make_demand(product, 2, reference="orders.OrderLine:9")
    assert again.allocated_now == 2
    assert demand_for_reference("orders.OrderLine:9").pk == again.demand.pk
    assert set(demands_by_reference(["orders.OrderLine:9", "nope"])) == {"orders.OrderLine:9"}


def test_release_gives_stock_to_the_oldest_waiting_demand(product, main_wh):
    add_stock(product, main_wh, 10)
    holder = make_demand(product, 10, priority_date=dt.date(2026, 11, 5))
    waiting = make_demand(product, 3, priority_date=dt.date(2026, 11, 6))

    result = services.demand_release(demand=holder.demand, quantity=4, user=None)

    assert result.allocated_now == -4
    assert [(r.demand.pk, r.allocated_now) for r in result.served] == [(waiting.demand.pk, 3)]
    assert (refreshed(holder.demand).allocated, refreshed(holder.demand).backordered) == (6, 4)
    assert refreshed(waiting.demand).allocated == 3
    assert levels(product) == {"MAIN": (10, 9)}
    assert stock_ledger_problems() == []


def test_release_more_than_allocated_is_refused(product, main_wh):
    add_stock(product, main_wh, 2)
    demand = make_demand(product, 5).demand

    with pytest.raises(InvalidInput) as error, transaction.atomic():
        services.demand_release(demand=demand, quantity=3, user=None)

    assert error.value.field == "quantity"
    assert refreshed(demand).allocated == 2


def test_allocate_again_takes_what_became_available(product, main_wh):
    demand = make_demand(product, 5).demand
    released = make_demand(product, 1)  # nothing yet
    add_stock(product, main_wh, 4)  # served oldest first: demand gets 4

    assert refreshed(demand).allocated == 4
    services.demand_release(demand=demand, quantity=1, user=None)  # goes to `released`
    assert refreshed(released.demand).allocated == 1

    add_stock(product, main_wh, 2)  # demand (older) waits for 2, gets them
    result = services.demand_allocate(demand=demand, user=None)
    assert result.allocated_now == 0  # nothing left to take
    assert refreshed(demand).allocated == 5


def test_change_quantity_down_releases_surplus_and_up_allocates(product, main_wh):
    add_stock(product, main_wh, 10)
    demand = make_demand(product, 8).demand
    other = make_demand(product, 5).demand  # gets 2, waits for 3

    down = services.demand_change_quantity(demand=demand, quantity=6, user=None)
    assert down.allocated_now == -2
    assert [r.allocated_now for r in down.served] == [2]
    assert (refreshed(demand).quantity, refreshed(demand).allocated) == (6, 6)
    assert refreshed(other).allocated == 4

    up = services.demand_change_quantity(demand=demand, quantity=9, user=None)
    assert up.allocated_now == 0
    assert refreshed(demand).backordered == 3
    assert stock_ledger_problems() == []


def test_cancel_releases_everything_and_serves_waiting(product, main_wh, osaka_wh):
    add_stock(product, main_wh, 4)
    add_stock(product, osaka_wh, 4)
    big = make_demand(product, 8, priority_date=dt.date(2026, 11, 2)).demand
    later = make_demand(product, 5, priority_date=dt.date(2026, 11, 3)).demand

    result = services.demand_cancel(demand=big, user=None)

    assert result.allocated_now == -8
    assert refreshed(big).status == "cancelled"
    assert refreshed(big).allocated == 0
    assert held(later) == {"MAIN": 4, "OSAKA": 1}
    assert levels(product) == {"MAIN": (4, 4), "OSAKA": (4, 1)}
    with pytest.raises(StateConflict):
        services.demand_cancel(demand=big, user=None)


def test_ship_turns_allocation_into_shipment_moves_per_warehouse(product, main_wh, osaka_wh, admin_user):
    add_stock(product, main_wh, 3)
    add_stock(product, osaka_wh, 5)
    demand = make_demand(product, 7, reference="orders.OrderLine:5").demand

    result = services.demand_ship(demand=demand, quantity=6, reference="orders.Shipment:1", user=admin_user)

    assert [(w.warehouse_code, w.quantity) for w in result.warehouses] == [("MAIN", 3), ("OSAKA", 3)]
    moves = StockMove.objects.filter(kind="shipment").order_by("warehouse__code")
    assert [(m.warehouse.code, m.quantity, m.reference, m.note) for m in moves] == [
        ("MAIN", -3, "orders.Shipment:1", "orders.OrderLine:5"),
        ("OSAKA", -3, "orders.Shipment:1", "orders.OrderLine:5"),
    ]
    assert levels(product) == {"MAIN": (0, 0), "OSAKA": (2, 1)}
    demand = refreshed(demand)
    assert (demand.allocated, demand.shipped, demand.status) == (1, 6, "open")

    services.demand_ship(demand=demand, quantity=1, reference="orders.Shipment:2", user=admin_user)
    assert refreshed(demand).status == "done"
    assert stock_ledger_problems() == []


def test_done_and_cancelled_are_status_moves_with_their_events(product, main_wh, admin_user):
    add_stock(product, main_wh, 10)
    shipped, lowered, cancelled = (make_demand(product, n).demand for n in (3, 4, 2))
    services.demand_ship(demand=lowered, quantity=2, reference="S:1", user=admin_user)

    services.stock_ship(
        items=[services.ShipmentItem(demand=shipped, quantity=3)], reference="orders.Shipment:2", user=admin_user
    )
    services.demand_change_quantity(demand=lowered, quantity=2, user=admin_user)
    services.demand_cancel(demand=cancelled, user=admin_user)

    moves = {
        demand.reference: [(e.from_status, e.to_status, e.actor) for e in status_history(demand)]
        for demand in (shipped, lowered, cancelled)
    }
    assert moves == {
        shipped.reference: [("open", "done", admin_user)],
        lowered.reference: [("open", "done", admin_user)],
        cancelled.reference: [("open", "cancelled", admin_user)],
    }
    assert [(refreshed(d).status, refreshed(d).allocated) for d in (shipped, lowered, cancelled)] == [
        ("done", 0),
        ("done", 0),
        ("cancelled", 0),
    ]
    assert AuditEvent.objects.filter(action="stockdemand.done").count() == 2
    assert AuditEvent.objects.get(action="stockdemand.cancelled").changes == {
        "status": {"before": "open", "after": "cancelled"}
    }
    assert levels(product) == {"MAIN": (5, 0)}
    assert stock_ledger_problems() == []


def test_ship_from_a_named_warehouse(product, main_wh, osaka_wh):
    add_stock(product, main_wh, 3)
    add_stock(product, osaka_wh, 5)
    demand = make_demand(product, 8).demand

    services.demand_ship(demand=demand, quantity=4, reference="S:1", user=None, warehouse=osaka_wh)

    assert levels(product) == {"MAIN": (3, 3), "OSAKA": (1, 1)}


def test_ship_more_than_allocated_is_refused_and_nothing_moves(product, main_wh):
    add_stock(product, main_wh, 3)
    demand = make_demand(product, 5).demand

    with pytest.raises(InvalidInput) as error, transaction.atomic():  # the shipment's transaction
        services.demand_ship(demand=demand, quantity=4, reference="S:1", user=None)

    assert error.value.field == "quantity"
    assert StockMove.objects.filter(kind="shipment").count() == 0
    assert levels(product) == {"MAIN": (3, 3)}


def test_ship_several_demands_in_one_shipment(main_wh):
    a, b = ProductFactory(), ProductFactory()
    add_stock(a, main_wh, 5)
    add_stock(b, main_wh, 5)
    da, db_ = make_demand(a, 2).demand, make_demand(b, 5).demand

    results = services.stock_ship(
        items=[services.ShipmentItem(demand=db_, quantity=5), services.ShipmentItem(demand=da, quantity=2)],
        reference="orders.Shipment:3",
        user=None,
    )

    assert [(r.demand.pk, r.shipped_now) for r in results] == [(db_.pk, 5), (da.pk, 2)]
    assert StockMove.objects.filter(reference="orders.Shipment:3").count() == 2
    assert stock_ledger_problems() == []
