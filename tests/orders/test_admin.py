"""The daily screens: order entry with inline lines, confirm with the stock answer, ship."""

import pytest

from orders import services
from orders.models import Order, Shipment
from orders.services import LineInput
from tests.factories import CustomerFactory
from tests.orders import admin_forms
from tests.orders.admin_forms import admin_client
from tests.orders.conftest import stock

pytestmark = pytest.mark.django_db


def order_form(customer, product, quantity):
    line = {
        "product": product.pk,
        "description": "",
        "quantity": quantity,
        "unit": "",
        "unit_price": "",
        "discount_rate": "0",
        "tax_rate": "10",
    }
    return admin_forms.order_form(customer, line, customer_po_number="FAX-1", note="")


def test_order_entry_confirm_and_ship_through_the_admin(admin_user, company, warehouse, customer, product_a):
    stock(product_a, warehouse, 30)
    client = admin_client(admin_user)

    response = client.post("/admin/orders/order/add/", order_form(customer, product_a, 50))

    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    assert order.lines.get().unit_price == product_a.list_price
    assert order.total == 108900

    response = client.post("/admin/orders/order/", {"action": "confirm", "_selected_action": [order.pk]}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    answer = "A-100 ステンレスボルト M8: 30 箱 即日出荷、残り 20 箱は 11/30 出荷予定"
    assert any(m.endswith(f": {answer}") for m in messages), messages
    page = client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert "¥108,900" in page

    client.post("/admin/orders/order/", {"action": "create_shipment", "_selected_action": [order.pk]})
    shipment = Shipment.objects.get()
    client.post("/admin/orders/shipment/", {"action": "ship", "_selected_action": [shipment.pk]})
    shipment.refresh_from_db()
    assert shipment.status == "shipped" and shipment.number == "DN-2026-000001"


def test_admin_refusal_is_a_message_not_a_500(admin_user, company, warehouse, customer, product_a):
    client = admin_client(admin_user)
    product_a.is_active = False
    product_a.save()

    response = client.post("/admin/orders/order/add/", order_form(customer, product_a, 5), follow=True)

    assert response.status_code == 200
    assert not Order.objects.exists()
    assert any("A-100" in str(m) for m in response.context["messages"])


def test_rep_sees_only_own_orders_in_the_admin(admin_user, rep_user, other_rep, company, customer, product_a):
    mine = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=1)]
    )
    theirs = services.order_create(
        user=admin_user,
        data={"customer": CustomerFactory(sales_rep=other_rep)},
        lines=[LineInput(product=product_a, quantity=1)],
    )
    client = admin_client(rep_user)
    assert client.get(f"/admin/orders/order/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/orders/order/{theirs.pk}/change/").status_code == 302  # "does not exist" redirect
