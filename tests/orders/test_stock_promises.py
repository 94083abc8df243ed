"""Issue #12, promises and stock: the dates and words a customer is told on confirm.

Today is Thursday 2026-12-03 (no Japanese holiday until 12/31): 3 business days later is
Tuesday 12/08, 5 business days later Thursday 12/10."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from backoffice.exceptions import InvalidInput
from inventory import services as inventory_services
from inventory.models import StockDemand
from orders import services
from orders.services import LineInput
from tests.factories import ProductFactory, SupplierFactory
from tests.orders.conftest import open_purchase_order, stock

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _today():  # replaces the orders suite's 11/20
    with time_machine.travel(dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), tick=False):
        yield


@pytest.fixture
def cookies(db):
    """F-404 of the issue: supplier lead time 3 business days."""
    return ProductFactory(
        sku="F-404",
        name="個包装クッキー",
        unit="箱",
        list_price=Decimal("1850"),
        tax_category="reduced",
        supplier=SupplierFactory(lead_time_days=3),
    )


@pytest.fixture
def hex_bolt(db):
    """A-102 of the issue: supplier lead time 5 business days."""
    return ProductFactory(
        sku="A-102", name="六角ボルト M10", unit="箱", list_price=Decimal("1480"), supplier=SupplierFactory()
    )


def confirm(user, customer, *lines):
    order = services.order_create(user=user, data={"customer": customer}, lines=list(lines))
    return services.order_confirm(order=order, user=user)


def available(api, product, quantity):
    response = api.get(f"/api/v1/products/{product.pk}/availability/", {"quantity": quantity})
    assert response.status_code == 200, response.data
    return response.data


# --- 1. a later order is never promised an earlier date than the purchase order before it ---


def test_f404_the_second_order_waits_for_the_purchase_order_the_first_one_waits_on(
    admin_user, admin_api, company, warehouse, customer, cookies
):
    # Given 30 on hand and one open purchase order of 40 due 12/11
    stock(cookies, warehouse, 30)
    open_purchase_order(cookies, 40, dt.date(2026, 12, 11))

    first = confirm(admin_user, customer, LineInput(product=cookies, quantity=50))

    assert first.message == "F-404 個包装クッキー: 30 箱 即日出荷、残り 20 箱は 12/11 出荷予定"
    assert first.lines[0].expected_date == dt.date(2026, 12, 11)

    # Order 2 for 30: the purchase order has 20 left for it, the other 10 are not on order
    # yet (today + 3 business days = 12/08), but nothing of it can come before 12/11.
    asked = available(admin_api, cookies, 30)
    second = confirm(admin_user, customer, LineInput(product=cookies, quantity=30))

    assert second.message == "F-404 個包装クッキー: 入荷待ち 30 箱、12/11 出荷予定"
    assert second.lines[0].expected_date == dt.date(2026, 12, 11)
    assert (asked["shippable_quantity"], asked["expected_date"]) == (0, "2026-12-11")
    # and the orders list tells both customers the same dates as the confirm did
    lines = [
        admin_api.get(f"/api/v1/orders/{result.order.pk}/").data["lines"][0]["expected_date"]
        for result in (first, second)
    ]
    assert lines == ["2026-12-11", "2026-12-11"]


def test_a102_an_order_beyond_the_purchase_order_ships_when_the_purchase_order_comes(
    admin_user, admin_api, company, warehouse, customer, hex_bolt
):
    # 0 in stock, 30 due 12/15; the other 20 could come by 12/10 (5 business days), but the
    # line ships whole when the later of its two sources comes.
    open_purchase_order(hex_bolt, 30, dt.date(2026, 12, 15))

    asked = available(admin_api, hex_bolt, 50)
    result = confirm(admin_user, customer, LineInput(product=hex_bolt, quantity=50))

    assert result.message == "A-102 六角ボルト M10: 入荷待ち 50 箱、12/15 出荷予定"
    assert result.lines[0].expected_date == dt.date(2026, 12, 15)
    assert (asked["expected_date"], asked["expected_date_source"]) == ("2026-12-15", "purchase_order")


def test_availability_api_and_confirm_give_the_same_answer_order_after_order(
    admin_user, admin_api, company, warehouse, customer, hex_bolt
):
    # 12 on hand, 10 due 12/04 and 10 due 12/16; beyond them, today + 5 = 12/10 but not
    # before the 12/16 receipt.
    stock(hex_bolt, warehouse, 12)
    open_purchase_order(hex_bolt, 10, dt.date(2026, 12, 4))
    open_purchase_order(hex_bolt, 10, dt.date(2026, 12, 16))
    expected = [  # (quantity, ships now, date of the rest)
        (5, 5, "2026-12-03"),  # from stock
        (10, 7, "2026-12-04"),  # 7 from stock, 3 from the first purchase order
        (7, 0, "2026-12-04"),  # the first purchase order's last 7
        (4, 0, "2026-12-16"),  # the second one
        (8, 0, "2026-12-16"),  # 6 from the second one, 2 not on order: 12/10, but after 12/16
        (1, 0, "2026-12-16"),  # not on order at all: still not before the receipts ahead of it
    ]

    for quantity, now, date in expected:
        asked = available(admin_api, hex_bolt, quantity)
        (line,) = confirm(admin_user, customer, LineInput(product=hex_bolt, quantity=quantity)).lines
        assert (asked["shippable_quantity"], asked["expected_date"]) == (now, date), quantity
        assert (line.allocated_now, line.expected_date.isoformat()) == (now, date), quantity


def test_without_purchase_orders_the_rest_waits_for_the_lead_time(
    admin_user, admin_api, company, warehouse, customer, hex_bolt
):
    stock(hex_bolt, warehouse, 10)

    asked = available(admin_api, hex_bolt, 15)
    result = confirm(admin_user, customer, LineInput(product=hex_bolt, quantity=15))

    assert result.message == "A-102 六角ボルト M10: 10 箱 即日出荷、残り 5 箱は 12/10 出荷予定"
    assert (asked["expected_date"], asked["expected_date_source"]) == ("2026-12-10", "lead_time")


# --- 2. the answer: per line, code, name, quantity and unit, every line ---


def test_confirm_answers_every_line_in_plain_japanese(
    admin_user, admin_api, company, warehouse, customer, product_a, hex_bolt, cookies, service_fee
):
    stock(product_a, warehouse, 80)
    stock(cookies, warehouse, 30)
    open_purchase_order(cookies, 40, dt.date(2026, 12, 11))
    open_purchase_order(hex_bolt, 60, dt.date(2026, 12, 11))
    order = services.order_create(
        user=admin_user,
        data={"customer": customer},
        lines=[
            LineInput(product=product_a, quantity=50),
            LineInput(product=cookies, quantity=50),
            LineInput(product=hex_bolt, quantity=50),
            LineInput(product=service_fee, quantity=1),
        ],
    )

    response = admin_api.post(f"/api/v1/orders/{order.pk}/confirm/")

    assert response.status_code == 200, response.data
    assert response.data["message"] == (
        "A-100 ステンレスボルト M8: 50 箱 全数即日出荷\n"
        "F-404 個包装クッキー: 30 箱 即日出荷、残り 20 箱は 12/11 出荷予定\n"
        "A-102 六角ボルト M10: 入荷待ち 50 箱、12/11 出荷予定\n"
        "S-900 送料: 1 式 全数即日出荷"
    )
    assert [(line["unit"], line["message"]) for line in response.data["lines"]] == [
        ("箱", "A-100 ステンレスボルト M8: 50 箱 全数即日出荷"),
        ("箱", "F-404 個包装クッキー: 30 箱 即日出荷、残り 20 箱は 12/11 出荷予定"),
        ("箱", "A-102 六角ボルト M10: 入荷待ち 50 箱、12/11 出荷予定"),
        ("式", "S-900 送料: 1 式 全数即日出荷"),
    ]


def test_the_answer_is_english_for_an_english_user(admin_user, company, warehouse, customer, product_a, cookies):
    stock(product_a, warehouse, 80)
    open_purchase_order(cookies, 40, dt.date(2026, 12, 11))

    with translation.override("en"):
        result = confirm(
            admin_user, customer, LineInput(product=product_a, quantity=50), LineInput(product=cookies, quantity=50)
        )

    assert result.message == (
        "A-100 ステンレスボルト M8: 50 箱, all ship today\nF-404 個包装クッキー: 50 箱 await stock, ship on 12/11"
    )
    # what is stored for everyone stays in the company's language
    number = result.order.number
    assert sorted(str(d) for d in StockDemand.objects.all()) == [f"受注 {number} の 1 行目", f"受注 {number} の 2 行目"]


def test_the_admin_shows_the_same_answer_one_line_per_order_line(
    admin_user, company, warehouse, customer, product_a, cookies
):
    stock(product_a, warehouse, 80)
    open_purchase_order(cookies, 40, dt.date(2026, 12, 11))
    order = services.order_create(
        user=admin_user,
        data={"customer": customer},
        lines=[LineInput(product=product_a, quantity=50), LineInput(product=cookies, quantity=20)],
    )
    client = Client()
    client.force_login(admin_user)

    response = client.post("/admin/orders/order/", {"action": "confirm", "_selected_action": [order.pk]}, follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        f"{order}: A-100 ステンレスボルト M8: 50 箱 全数即日出荷<br>"
        "F-404 個包装クッキー: 入荷待ち 20 箱、12/11 出荷予定"
    ]


# --- 3. messages name the order and line, not orders.OrderLine:14 ---


def test_stock_take_refusal_names_the_order_number_and_line(admin_user, company, warehouse, customer, product_a):
    stock(product_a, warehouse, 80)
    result = confirm(
        admin_user, customer, LineInput(product=product_a, quantity=10), LineInput(product=product_a, quantity=30)
    )

    with pytest.raises(InvalidInput) as error:
        inventory_services.stock_take(
            product=product_a, warehouse=warehouse, counted_quantity=20, reason="棚卸", user=admin_user
        )

    number = result.order.number
    assert str(error.value.message) == (
        "実在庫が 20 となり、引当済の 40 を下回ります"
        f"（引当先：受注 {number} の 1 行目 (10), 受注 {number} の 2 行目 (30)）。"
        "先に引当を解除するか出荷してください。"
    )


def test_backorders_are_listed_and_served_by_order_number_and_line(
    admin_user, admin_api, company, warehouse, customer, product_a
):
    result = confirm(admin_user, customer, LineInput(product=product_a, quantity=6))
    label = f"受注 {result.order.number} の 1 行目"
    assert str(StockDemand.objects.get()) == label
    client = Client()
    client.force_login(admin_user)

    page = client.get("/admin/inventory/stockdemand/").content.decode()

    assert label in page and "orders.OrderLine:" not in page
    purchase_order = open_purchase_order(product_a, 6, dt.date(2026, 12, 11))
    line = purchase_order.lines.get()
    received = admin_api.post(
        f"/api/v1/purchase-orders/{purchase_order.pk}/receive/", {"lines": [{"line": line.pk, "quantity": 6}]}
    )
    assert received.status_code == 200, received.data
    assert [(served["label"], served["allocated"]) for served in received.data["served"]] == [(label, 6)]
