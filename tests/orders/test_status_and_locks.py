"""Status moves of the sales flow through the one machine, the row locks of orders/locking.py,
and the limits the API reads from settings when it is used."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from backoffice.exceptions import StateConflict
from backoffice.status import status_history
from billing import services as billing_services
from orders import services
from orders.locking import lock_customer, lock_order, lock_quote, lock_shipment
from orders.models import Order, Shipment
from orders.services import LineInput
from tests.factories import CustomerFactory
from tests.orders.conftest import TODAY, stock


def test_an_inquiry_moves_through_the_status_machine(db, admin_user, rep_user, company, customer):
    inquiry = services.inquiry_create(
        user=admin_user, data={"customer": customer, "subject": "納期の確認", "assigned_to": rep_user}
    )
    assert inquiry.status == "handed_off"  # assigned when logged: handed off at once

    services.inquiry_hand_off(inquiry=inquiry, user=admin_user, assigned_to=admin_user)  # handed on: no move
    services.inquiry_resolve(inquiry=inquiry, user=admin_user, resolution="12/3 出荷と回答")

    history = [(e.from_status, e.to_status, e.comment) for e in status_history(inquiry)]
    assert history == [("open", "handed_off", ""), ("handed_off", "resolved", "12/3 出荷と回答")]
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.assigned_to, inquiry.resolution) == ("resolved", admin_user, "12/3 出荷と回答")
    with pytest.raises(StateConflict, match="対応完了済み"):
        services.inquiry_hand_off(inquiry=inquiry, user=admin_user, assigned_to=rep_user)


def test_an_inquiry_edit_that_assigns_a_rep_hands_it_off(db, admin_user, rep_user, company, customer):
    inquiry = services.inquiry_create(user=admin_user, data={"customer": customer, "subject": "在庫の確認"})
    assert inquiry.status == "open"

    inquiry = services.inquiry_update(inquiry=inquiry, user=admin_user, data={"assigned_to": rep_user})

    assert inquiry.status == "handed_off"
    assert [(e.from_status, e.to_status) for e in status_history(inquiry)] == [("open", "handed_off")]


def test_cancelling_an_order_cancels_its_draft_shipments_through_the_machine(
    db, admin_user, company, warehouse, customer, product_a
):
    stock(product_a, warehouse, 10)
    order = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=4)]
    )
    services.order_confirm(order=order, user=admin_user)
    shipment = services.shipment_create(order=order, user=admin_user)

    services.order_cancel(order=order, user=admin_user, reason="お客様都合")

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.CANCELLED
    assert [(e.from_status, e.to_status) for e in status_history(shipment)] == [("draft", "cancelled")]


def test_line_limits_are_read_from_settings_when_the_api_is_used(
    db, admin_api, settings, company, warehouse, customer, product_a
):
    settings.LIMITS = {**settings.LIMITS, "max_quantity": 5, "max_lines_per_document": 1}
    line = {"product": product_a.pk, "quantity": 6}

    too_many = admin_api.post("/api/v1/orders/", {"customer": customer.pk, "lines": [line, line]}, format="json")
    too_much = admin_api.post("/api/v1/orders/", {"customer": customer.pk, "lines": [line]}, format="json")

    assert too_many.status_code == too_much.status_code == 400
    assert "lines" in too_many.data and "quantity" in str(too_much.data)
    assert not Order.objects.exists()


# --- PostgreSQL: the locks themselves -------------------------------------------------------------


@pytest.mark.postgres
def test_each_lock_locks_only_its_own_table(db, admin_user, company, warehouse, customer, service_fee):
    order = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=service_fee, quantity=1)]
    )
    services.order_confirm(order=order, user=admin_user)
    shipment = services.shipment_create(order=order, user=admin_user)
    fee = [LineInput(product=service_fee, quantity=1)]
    quote = services.quote_create(user=admin_user, data={"customer": customer, "subject": "見積"}, lines=fee)

    with CaptureQueriesContext(connection) as captured:
        lock_customer(customer.pk)
        lock_order(order.pk)
        lock_quote(quote.pk)
        lock_shipment(shipment.pk)

    locks = [query["sql"].split(" FOR NO KEY UPDATE ")[1] for query in captured.captured_queries]
    assert locks == [
        'OF "orders_customer"',
        'OF "orders_order"',
        'OF "orders_quote"',
        'OF "orders_shipment"',
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_orders_of_one_customer_confirmed_at_once_each_count_the_other(admin_user, company, service_fee):
    # Each order alone is within the limit, both together are not: whichever is confirmed
    # second must see the first. The customer row is locked for the credit check (today the
    # SO number, taken before the check, also makes confirmations wait for each other).
    customer = services.customer_create(
        user=admin_user, data={"code": "C900", "name": "与信テスト株式会社", "credit_limit": Decimal(2500)}
    )
    orders = [
        services.order_create(
            user=admin_user,
            data={"customer": customer, "order_date": dt.date(2026, 11, 20)},
            lines=[LineInput(product=service_fee, quantity=1)],  # 1,500 + tax = 1,650
        )
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    results = []

    def confirm(order):
        try:
            barrier.wait()
            results.append(services.order_confirm(order=order, user=admin_user).on_hold)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, True]
    assert sorted(Order.objects.values_list("status", flat=True)) == ["confirmed", "on_hold"]


def _backends_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_shipment_billed_to_a_customer_commits_while_its_next_order_waits_for_the_stock(
    admin_user, company, warehouse, product_a
):
    """The shipment holds the product's stock row and commits its invoice, whose customer
    reference PostgreSQL checks at COMMIT (Django's foreign keys are deferred); meanwhile the
    customer's next order, being confirmed, holds the customer's row and waits for that stock
    row. With the customer locked FOR UPDATE the check waited for the confirmation: a
    deadlock, and one of the two answered 500 (four times in a minute of bench/http_load.py).
    FOR NO KEY UPDATE lets the check pass: the shipment commits, then the order is confirmed."""
    customer = CustomerFactory(code="C950", name="株式会社並行商事", invoice_mode="per_shipment")
    stock(product_a, warehouse, 100, admin_user)
    first, second = (
        services.order_create(
            user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=5)]
        )
        for _ in range(2)
    )
    services.order_confirm(order=first, user=admin_user)
    shipment = services.shipment_create(order=first, user=admin_user)
    shipped, confirm_waits = threading.Event(), threading.Event()
    done, errors = [], []

    def ship():
        try:
            with transaction.atomic():  # commits as this block ends, while the confirmation waits
                billing_services.shipment_ship_and_bill(shipment=shipment, user=admin_user, shipped_on=TODAY)
                shipped.set()
                confirm_waits.wait(10)
            done.append("shipped")
        except Exception as error:  # noqa: BLE001 (the test reports it)
            errors.append(error)
        finally:
            shipped.set()
            connection.close()

    def confirm():
        try:
            shipped.wait(10)
            services.order_confirm(order=second, user=admin_user)
            done.append("confirmed")
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ship), threading.Thread(target=confirm)]
    for thread in threads:
        thread.start()
    shipped.wait(10)
    for _ in range(100):  # until the confirmation waits for the stock row the shipment holds
        if _backends_waiting_for_a_lock():
            break
        threading.Event().wait(0.05)
    waiting = _backends_waiting_for_a_lock()
    confirm_waits.set()
    for thread in threads:
        thread.join()

    assert waiting == 1
    assert errors == []
    assert sorted(done) == ["confirmed", "shipped"]
    assert sorted(Order.objects.values_list("status", flat=True)) == ["confirmed", "invoiced"]
