import datetime as dt

import pytest

from inventory import services
from inventory.models import PurchaseOrder, PurchaseOrderLine, StockDemand
from inventory.selectors import IncomingSupply, availability, expected_dates
from tests.inventory.factories import (
    ProductFactory,
    SupplierFactory,
    add_stock,
    issued_purchase_order,
    make_demand,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)  # a Wednesday


def test_everything_ships_now_when_available(product, main_wh):
    add_stock(product, main_wh, 80)
    make_demand(product, 30)

    answer = availability(product, 50, on=TODAY)

    assert (answer.on_hand, answer.allocated, answer.available) == (80, 30, 50)
    assert (answer.can_ship_now, answer.shippable_quantity, answer.expected_date) == (True, 50, TODAY)
    assert answer.expected_date_source == "stock"


def test_thirty_today_the_other_twenty_on_the_purchase_order_date(product, main_wh):
    add_stock(product, main_wh, 30)
    issued_purchase_order(product, 15, expected_date=dt.date(2026, 12, 1))
    issued_purchase_order(product, 40, expected_date=dt.date(2026, 12, 3))

    answer = availability(product, 50, on=TODAY)

    assert (answer.can_ship_now, answer.shippable_quantity) == (False, 30)
    assert answer.incoming == (
        IncomingSupply(expected_date=dt.date(2026, 12, 1), quantity=15),
        IncomingSupply(expected_date=dt.date(2026, 12, 3), quantity=40),
    )
    assert answer.incoming_quantity == 55
    assert (answer.expected_date, answer.expected_date_source) == (dt.date(2026, 12, 3), "purchase_order")


def test_earlier_backorders_wait_first(product, main_wh):
    make_demand(product, 10)  # waits for stock
    issued_purchase_order(product, 12, expected_date=dt.date(2026, 12, 1))
    issued_purchase_order(product, 10, expected_date=dt.date(2026, 12, 10))

    assert availability(product, 2, on=TODAY).expected_date == dt.date(2026, 12, 1)
    assert availability(product, 3, on=TODAY).expected_date == dt.date(2026, 12, 10)
    assert availability(product, 3, on=TODAY).backordered == 10


def test_partially_received_lines_count_what_is_still_outstanding(product, main_wh):
    po = issued_purchase_order(product, 10, expected_date=dt.date(2026, 12, 1))
    services.purchase_order_receive(purchase_order=po, lines=[{"line": po.lines.get(), "quantity": 4}], user=None)

    answer = availability(product, 10, on=TODAY)

    assert answer.on_hand == 4
    assert answer.incoming == (IncomingSupply(expected_date=dt.date(2026, 12, 1), quantity=6),)
    assert answer.expected_date == dt.date(2026, 12, 1)


def test_drafts_and_cancelled_orders_are_not_incoming(product, main_wh):
    services.purchase_order_create(
        supplier=product.supplier, lines=[{"product": product, "quantity": 5}], user=None, expected_date=TODAY
    )
    cancelled = issued_purchase_order(product, 5)
    services.purchase_order_cancel(purchase_order=cancelled, user=None)

    assert availability(product, 1, on=TODAY).incoming == ()


def test_not_covered_falls_back_to_lead_time_in_business_days(main_wh):
    product = ProductFactory(supplier=SupplierFactory(lead_time_days=3), lead_time_days=None)
    issued_purchase_order(product, 5, expected_date=dt.date(2026, 11, 30))

    answer = availability(product, 8, on=dt.date(2026, 12, 28))

    # 12/28 + 3 business days: 12/29, 12/30, (12/31-1/3 bank holidays) 1/4
    assert (answer.expected_date, answer.expected_date_source) == (dt.date(2027, 1, 4), "lead_time")


def test_product_lead_time_wins_over_the_supplier(main_wh):
    product = ProductFactory(supplier=SupplierFactory(lead_time_days=10), lead_time_days=1)

    assert availability(product, 1, on=TODAY).expected_date == dt.date(2026, 11, 26)


def test_overdue_purchase_order_counts_from_today(product, main_wh):
    issued_purchase_order(product, 5, expected_date=dt.date(2026, 11, 20))

    assert availability(product, 5, on=TODAY).expected_date == TODAY


def test_service_product_always_ships_now(service_product):
    answer = availability(service_product, 3, on=TODAY)

    assert (answer.can_ship_now, answer.shippable_quantity, answer.expected_date) == (True, 3, TODAY)
    assert answer.expected_date_source == "not_stocked"


def test_query_count_is_bounded_with_many_po_lines_and_backorders(product, main_wh, django_assert_num_queries):
    supplier = product.supplier
    orders = PurchaseOrder.objects.bulk_create(
        [
            PurchaseOrder(
                supplier=supplier,
                warehouse=main_wh,
                status="issued",
                number=f"PO-2026-{n:06d}",
                expected_date=dt.date(2026, 12, 1),
            )
            for n in range(1, 11)
        ]
    )
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(
                purchase_order=orders[n % 10],
                product=product,
                quantity=20,
                unit_cost=500,
                expected_date=dt.date(2026, 12, 1) + dt.timedelta(days=n),
            )
            for n in range(100)
        ]
    )
    StockDemand.objects.bulk_create(
        [
            StockDemand(reference=f"orders.OrderLine:{n}", product=product, priority_date=TODAY, quantity=1)
            for n in range(1000)
        ]
    )

    with django_assert_num_queries(2):
        answer = availability(product, 5, on=TODAY)

    assert answer.backordered == 1000
    assert answer.incoming_quantity == 2000
    assert len(answer.incoming) == 100
    # 1000 waiting + 5 = 1005 units: the 51st line (20 each) covers them, expected 12/1 + 50 days
    assert answer.expected_date == dt.date(2027, 1, 20)


def test_expected_dates_of_waiting_demands_follow_the_queue(product, main_wh, django_assert_num_queries):
    other = ProductFactory(supplier=SupplierFactory(lead_time_days=2), lead_time_days=None)
    first = make_demand(product, 10, priority_date=dt.date(2026, 11, 1)).demand
    second = make_demand(product, 5, priority_date=dt.date(2026, 11, 2)).demand
    third = make_demand(product, 5, priority_date=dt.date(2026, 11, 3)).demand
    lone = make_demand(other, 1).demand
    issued_purchase_order(product, 12, expected_date=dt.date(2026, 12, 1))
    issued_purchase_order(product, 3, expected_date=dt.date(2026, 12, 8))

    with django_assert_num_queries(4):
        dates = expected_dates([third, lone, second, first], on=TODAY)

    assert dates == {
        first.pk: dt.date(2026, 12, 1),  # its 10 come with the first 12
        second.pk: dt.date(2026, 12, 8),  # 15 need both purchase orders
        # 20 are never on order: 11/25 + 5 business days is 12/02, but goods ordered now
        # never come before the purchase orders that the earlier demands wait on
        third.pk: dt.date(2026, 12, 8),
        lone.pk: dt.date(2026, 11, 27),  # the supplier's 2 business days
    }


def test_expected_dates_count_free_stock_and_skip_allocated_demands(product, main_wh):
    add_stock(product, main_wh, 4)
    holder = make_demand(product, 4).demand
    waiting = make_demand(product, 2).demand
    services.demand_release(demand=holder, quantity=3, user=None)  # 2 go to `waiting`, 1 stays free
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert (holder.backordered, waiting.backordered) == (3, 0)

    assert expected_dates([holder, waiting], on=TODAY) == {holder.pk: dt.date(2026, 12, 2)}  # lead time
    issued_purchase_order(product, 2, expected_date=dt.date(2026, 12, 1))
    assert expected_dates([holder, waiting], on=TODAY) == {holder.pk: dt.date(2026, 12, 1)}  # 1 free + 2 coming
