"""The sales flow through the REST API: exact answers, roles, and bad input that writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import StockLevel
from orders import services
from orders.models import Order, Quote, Shipment
from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory
from tests.orders.conftest import open_purchase_order, stock

pytestmark = pytest.mark.django_db


def order_payload(customer, *lines, **extra):
    return {"customer": customer.pk, "lines": list(lines), **extra}


def test_confirm_answers_what_ships_now_and_when_the_rest_comes(admin_api, company, warehouse, customer, product_a):
    stock(product_a, warehouse, 30)
    open_purchase_order(product_a, 40, dt.date(2026, 12, 3))
    created = admin_api.post(
        "/api/v1/orders/",
        order_payload(customer, {"product": product_a.pk, "quantity": 50}, customer_po_number="PO-1"),
    )
    assert created.status_code == 201, created.data

    response = admin_api.post(f"/api/v1/orders/{created.data['id']}/confirm/")

    assert response.status_code == 200, response.data
    assert response.data["lines"][0] | {"line_id": 0} == {
        "line_id": 0,
        "position": 1,
        "sku": "A-100",
        "description": "ステンレスボルト M8",
        "ordered": 50,
        "allocated_now": 30,
        "backordered": 20,
        "expected_date": "2026-12-03",
        "unit": "箱",
        "message": "A-100 ステンレスボルト M8: 30 箱 即日出荷、残り 20 箱は 12/03 出荷予定",
    }
    line = response.data["order"]["lines"][0]
    assert (line["allocated_quantity"], line["backordered_quantity"], line["expected_date"]) == (30, 20, "2026-12-03")
    assert response.data["order"]["status"] == "confirmed"
    assert response.data["order"]["total"] == "108900"
    assert response.data["order"]["tax_breakdown"] == [
        {"rate": 10, "subtotal": "99000", "tax": "9900", "total": "108900"}
    ]


@pytest.mark.parametrize(
    ("line", "field_fragment"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"quantity": 1_000_001}, "quantity"),
        ({"quantity": 1, "unit_price": "-1"}, "unit_price"),
        ({"quantity": 1, "product": 999999}, "product"),
        ({"quantity": 1, "product": "abc"}, "product"),
        ({"quantity": 1, "product": True}, "product"),
        ({"quantity": "abc"}, "quantity"),
    ],
)
def test_bad_order_lines_are_400_and_write_nothing(admin_api, company, customer, product_a, line, field_fragment):
    payload_line = {"product": product_a.pk, **line}

    response = admin_api.post("/api/v1/orders/", order_payload(customer, payload_line))

    assert response.status_code == 400
    assert "lines" in response.data
    assert field_fragment in str(response.data["lines"])
    assert not Order.objects.exists()


def test_inactive_product_is_refused(admin_api, company, customer):
    product = ProductFactory(is_active=False, sku="OLD-1")
    response = admin_api.post("/api/v1/orders/", order_payload(customer, {"product": product.pk, "quantity": 1}))
    assert response.status_code == 400
    assert "OLD-1" in str(response.data)
    assert not Order.objects.exists()


def test_rep_reads_own_orders_only_and_cannot_confirm_or_ship(
    admin_user, rep_api, other_rep, company, warehouse, customer, product_a
):
    stock(product_a, warehouse, 10)
    mine = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=1)]
    )
    theirs = services.order_create(
        user=admin_user,
        data={"customer": CustomerFactory(sales_rep=other_rep)},
        lines=[LineInput(product=product_a, quantity=1)],
    )

    assert [row["id"] for row in rep_api.get("/api/v1/orders/").data["results"]] == [mine.pk]
    assert rep_api.get(f"/api/v1/orders/{theirs.pk}/").status_code == 404
    assert rep_api.post(f"/api/v1/orders/{mine.pk}/confirm/").status_code == 403
    assert (
        rep_api.post("/api/v1/orders/", order_payload(customer, {"product": product_a.pk, "quantity": 1})).status_code
        == 403
    )
    services.order_confirm(order=mine, user=admin_user)
    assert rep_api.post("/api/v1/shipments/", {"order": mine.pk}).status_code == 403
    assert Order.objects.get(pk=theirs.pk).status == "draft"


def test_confirming_a_cancelled_order_is_409(admin_api, admin_user, company, warehouse, customer, product_a):
    order = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=1)]
    )
    services.order_cancel(order=order, user=admin_user)
    response = admin_api.post(f"/api/v1/orders/{order.pk}/confirm/")
    assert response.status_code == 409
    assert "detail" in response.data


def test_quote_workflow_over_the_api(admin_api, rep_api, manager_api, company, customer, product_a):
    created = rep_api.post(
        "/api/v1/quotes/",
        {"customer": customer.pk, "subject": "見積依頼", "lines": [{"product": product_a.pk, "quantity": 10}]},
    )
    assert created.status_code == 201, created.data
    quote_id = created.data["id"]
    assert created.data["lines"][0]["unit_price"] == "1980.00"

    priced = admin_api.patch(
        f"/api/v1/quotes/{quote_id}/",
        {"lines": [{"product": product_a.pk, "quantity": 10, "discount_rate": "20"}]},
    )
    assert priced.status_code == 200, priced.data
    assert priced.data["lines"][0]["amount"] == "15840"
    submitted = rep_api.post(f"/api/v1/quotes/{quote_id}/submit/")
    assert submitted.data["status"] == "pending_approval"
    assert rep_api.post(f"/api/v1/quotes/{quote_id}/approve/").status_code == 403
    assert admin_api.post(f"/api/v1/quotes/{quote_id}/approve/").status_code == 403
    assert manager_api.post(f"/api/v1/quotes/{quote_id}/approve/", {"comment": "OK"}).data["status"] == "approved"
    issued = admin_api.post(f"/api/v1/quotes/{quote_id}/issue/")
    assert issued.status_code == 200, issued.data
    assert issued.data["number"] == "Q-2026-000001"
    assert admin_api.post(f"/api/v1/quotes/{quote_id}/issue/").status_code == 409
    assert admin_api.post(f"/api/v1/quotes/{quote_id}/accept/").status_code == 200

    converted = admin_api.post(f"/api/v1/quotes/{quote_id}/convert/")

    assert converted.status_code == 201
    assert converted.data["quote"] == quote_id
    assert converted.data["lines"][0]["amount"] == "15840"
    assert admin_api.post(f"/api/v1/quotes/{quote_id}/convert/").status_code == 409


def test_rep_cannot_quote_for_another_reps_customer(rep_api, other_rep, company, product_a):
    other = CustomerFactory(sales_rep=other_rep)
    response = rep_api.post(
        "/api/v1/quotes/", {"customer": other.pk, "subject": "x", "lines": [{"product": product_a.pk, "quantity": 1}]}
    )
    assert response.status_code == 400
    assert "customer" in response.data
    assert not Quote.objects.exists()


def test_shipments_api_ship_with_date_and_not_twice(admin_api, admin_user, company, warehouse, customer, product_a):
    stock(product_a, warehouse, 10)
    order = services.order_create(
        user=admin_user,
        data={"customer": customer, "order_date": dt.date(2026, 11, 18)},
        lines=[LineInput(product=product_a, quantity=4)],
    )
    services.order_confirm(order=order, user=admin_user)
    line = order.lines.get()

    too_many = admin_api.post(
        "/api/v1/shipments/", {"order": order.pk, "lines": [{"order_line": line.pk, "quantity": 5}]}
    )
    assert too_many.status_code == 400
    assert "lines[0].quantity" in too_many.data
    created = admin_api.post(
        "/api/v1/shipments/", {"order": order.pk, "lines": [{"order_line": line.pk, "quantity": 4}]}
    )
    assert created.status_code == 201

    shipped = admin_api.post(f"/api/v1/shipments/{created.data['id']}/ship/", {"shipped_on": "2026-11-19"})

    assert shipped.status_code == 200, shipped.data
    assert shipped.data["number"] == "DN-2026-000001"
    assert shipped.data["shipped_on"] == "2026-11-19"
    assert shipped.data["total"] == "8712"
    assert admin_api.post(f"/api/v1/shipments/{created.data['id']}/ship/").status_code == 409
    future = admin_api.post("/api/v1/shipments/", {"order": order.pk})
    assert future.status_code == 409  # nothing left to ship
    assert Shipment.objects.count() == 1
    assert StockLevel.objects.get(product=product_a).on_hand == 6


def test_a_shipment_line_with_a_key_it_does_not_take_is_read_without_it(
    admin_api, admin_user, company, warehouse, customer, product_a
):
    """Only quote and order lines read their products; a shipment line's stray "product"
    key is ignored like any other unknown key, not a 500."""
    stock(product_a, warehouse, 10)
    order = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=2)]
    )
    services.order_confirm(order=order, user=admin_user)
    line = order.lines.get()

    response = admin_api.post(
        "/api/v1/shipments/",
        {"order": order.pk, "lines": [{"order_line": line.pk, "quantity": 1, "product": product_a.pk}]},
        format="json",
    )

    assert response.status_code == 201, response.data
    assert [(row["order_line"], row["quantity"]) for row in response.data["lines"]] == [(line.pk, 1)]


def test_ship_in_the_future_is_refused(admin_api, admin_user, company, warehouse, customer, product_a):
    stock(product_a, warehouse, 10)
    order = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=1)]
    )
    services.order_confirm(order=order, user=admin_user)
    shipment = services.shipment_create(order=order, user=admin_user)
    response = admin_api.post(f"/api/v1/shipments/{shipment.pk}/ship/", {"shipped_on": "2026-12-01"})
    assert response.status_code == 400
    assert "shipped_on" in response.data
    assert Shipment.objects.get().status == "draft"


def test_ship_loads_the_shipment_row_alone_before_the_service_locks_it(
    admin_api, admin_user, company, warehouse, customer, product_a
):
    """The action hands the shipment to a service that locks and reads it again: before
    the service's transaction, one plain read of the row (no lines, no joins) and nothing else of it."""
    stock(product_a, warehouse, 10)
    order = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=2)] * 3
    )
    services.order_confirm(order=order, user=admin_user)
    shipment = services.shipment_create(order=order, user=admin_user)

    with CaptureQueriesContext(connection) as queries:
        response = admin_api.post(f"/api/v1/shipments/{shipment.pk}/ship/?status=shipped", {})

    assert response.status_code == 200, response.data
    assert len(response.data["lines"]) == 3
    sql = [query["sql"] for query in queries.captured_queries]
    service = next(i for i, statement in enumerate(sql) if statement.startswith("SAVEPOINT"))  # its transaction
    before = [statement for statement in sql[:service] if '"orders_shipment' in statement]
    assert len(before) == 1
    assert 'FROM "orders_shipment" WHERE' in before[0]  # no join, and the lines are not read


@pytest.mark.parametrize("path", ["shipments/null,null/ship/", "orders/abc/confirm/", "quotes/1e3/submit/"])
def test_an_action_on_a_malformed_id_is_a_json_404(admin_api, company, path):
    response = admin_api.post(f"/api/v1/{path}", {}, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_submitting_another_reps_quote_is_404_and_changes_nothing(rep_api, other_rep, admin_user, company, product_a):
    theirs = services.quote_create(
        user=admin_user,
        data={"customer": CustomerFactory(sales_rep=other_rep), "subject": "他担当の見積"},
        lines=[LineInput(product=product_a, quantity=1)],
    )

    response = rep_api.post(f"/api/v1/quotes/{theirs.pk}/submit/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"

    theirs.refresh_from_db()
    assert theirs.status == Quote.Status.DRAFT
    assert Quote.objects.count() == 1


def test_create_of_100_lines_reads_their_products_at_once(admin_api, company, customer, django_assert_max_num_queries):
    products = [ProductFactory() for _ in range(100)]
    lines = [{"product": str(p.pk) if i % 2 else p.pk, "quantity": 1} for i, p in enumerate(products)]

    # 14 measured (114 when each line looked its product up): the products in one query
    with django_assert_max_num_queries(16):
        response = admin_api.post("/api/v1/orders/", order_payload(customer, *lines))

    assert response.status_code == 201, response.data
    assert [line["product"] for line in response.data["lines"]] == [p.pk for p in products]
    assert [line["sku"] for line in response.data["lines"]] == [p.sku for p in products]


def test_confirm_of_100_lines_uses_bounded_queries(
    admin_api, admin_user, company, warehouse, customer, django_assert_max_num_queries
):
    products = [ProductFactory() for _ in range(100)]
    for product in products:
        stock(product, warehouse, 5)
    order = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=p, quantity=7) for p in products]
    )
    # 39 measured: the queries do not grow with the lines (locking, demands and
    # allocations are written in bulk)
    with django_assert_max_num_queries(45):
        response = admin_api.post(f"/api/v1/orders/{order.pk}/confirm/")
    assert response.status_code == 200
    assert sum(line["backordered"] for line in response.data["lines"]) == 200


def test_order_list_queries_do_not_grow_with_orders(
    admin_api, admin_user, company, warehouse, customer, product_a, django_assert_max_num_queries
):
    stock(product_a, warehouse, 100)
    for _ in range(15):
        order = services.order_create(
            user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=1)] * 3
        )
        services.order_confirm(order=order, user=admin_user)
    with django_assert_max_num_queries(10):
        response = admin_api.get("/api/v1/orders/")
    assert response.data["count"] == 15


def test_shipment_list_queries_do_not_grow_with_shipments(
    admin_api, admin_user, company, warehouse, customer, product_a, django_assert_max_num_queries
):
    stock(product_a, warehouse, 100)
    for _ in range(12):
        order = services.order_create(
            user=admin_user, data={"customer": CustomerFactory()}, lines=[LineInput(product=product_a, quantity=1)] * 2
        )
        services.order_confirm(order=order, user=admin_user)
        services.shipment_create(order=order, user=admin_user)

    with django_assert_max_num_queries(8):
        response = admin_api.get("/api/v1/shipments/")

    assert response.data["count"] == 12
    first = response.data["results"][0]
    shipment = Shipment.objects.get(pk=first["id"])
    assert (first["order"], first["customer"], len(first["lines"])) == (shipment.order_id, shipment.customer_id, 2)


def test_order_list_search_by_sku_lists_each_order_once_with_its_stock_answer(
    admin_api, admin_user, company, warehouse, customer, product_a
):
    m10 = ProductFactory(sku="A-101", name="ステンレスボルト M10")
    stock(product_a, warehouse, 5)
    stock(m10, warehouse, 100)
    both = services.order_create(
        user=admin_user,
        data={"customer": customer},
        lines=[LineInput(product=product_a, quantity=8), LineInput(product=m10, quantity=2)],
    )
    services.order_confirm(order=both, user=admin_user)
    draft = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=m10, quantity=1)]
    )

    response = admin_api.get("/api/v1/orders/", {"search": "A-10", "ordering": "id"})

    assert response.data["count"] == 2
    assert [o["id"] for o in response.data["results"]] == [both.pk, draft.pk]  # two lines match: listed once
    lines = response.data["results"][0]["lines"]
    assert [(line["sku"], line["allocated_quantity"], line["backordered_quantity"]) for line in lines] == [
        ("A-100", 5, 3),
        ("A-101", 2, 0),
    ]


# --- CSV import ------------------------------------------------------------------------------


def upload(text, encoding="utf-8"):
    return SimpleUploadedFile("orders.csv", text.encode(encoding), content_type="text/csv")


def test_csv_import_all_rows_or_none(admin_api, company, customer, product_a, food):
    good = "得意先コード,注文番号,品番,数量,希望納期\nC001,PO-9,A-100,5,2026/12/01\nC001,PO-9,F-400,2,\n"

    response = admin_api.post("/api/v1/orders/import/", {"file": upload(good, "cp932")}, format="multipart")

    assert response.status_code == 201, response.data
    order = Order.objects.get()
    assert order.customer_po_number == "PO-9"
    assert order.requested_date == dt.date(2026, 12, 1)
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("A-100", 5), ("F-400", 2)]
    assert order.total == Decimal("14518")  # 9,900 + 990 + 3,360 + 268

    again = admin_api.post("/api/v1/orders/import/", {"file": upload(good)}, format="multipart")
    assert again.status_code == 400  # the same PO was imported already
    bad = "customer_code,po_number,sku,quantity\nC001,PO-10,A-100,5\nC999,PO-11,NOPE,0\n"
    response = admin_api.post("/api/v1/orders/import/", {"file": upload(bad)}, format="multipart")
    assert response.status_code == 400
    assert (
        response.data["rows"]
        == [
            "row 3: customer_code: unknown customer C999",
            "row 3: sku: unknown product NOPE",
            "row 3: quantity: 0 is not a whole number from 1 to 1000000",
        ]
        or len(response.data["rows"]) == 3
    )
    assert Order.objects.count() == 1


# --- inquiries ------------------------------------------------------------------------------


def test_rep_sees_inquiries_handed_to_them(admin_api, rep_api, rep_user, company, customer):
    created = admin_api.post(
        "/api/v1/inquiries/",
        {"customer": customer.pk, "channel": "phone", "subject": "納期確認", "category": "delivery_date"},
    )
    assert created.status_code == 201, created.data
    handed = admin_api.post(f"/api/v1/inquiries/{created.data['id']}/hand-off/", {"assigned_to": rep_user.pk})
    assert handed.data["status"] == "handed_off"
    mine = rep_api.get("/api/v1/inquiries/", {"mine": "true", "status": "handed_off"})
    assert [row["id"] for row in mine.data["results"]] == [created.data["id"]]
    bad = admin_api.post("/api/v1/inquiries/", {"channel": "pigeon", "subject": ""})
    assert bad.status_code == 400
    assert {"channel", "subject"} <= set(bad.data)
