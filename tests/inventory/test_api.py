import datetime as dt

import pytest
from django.urls import include, path
from django.utils import translation
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from inventory.api import urls as inventory_urls
from inventory.models import PurchaseOrder, StockLevel, StockMove
from tests.inventory.factories import (
    ProductFactory,
    WarehouseFactory,
    add_stock,
    issued_purchase_order,
    make_demand,
)

pytestmark = pytest.mark.django_db

INVENTORY_ENUM_NAMES = {
    "StockMoveKindEnum": "inventory.models.StockMoveKind",
    "PurchaseOrderStatusEnum": "inventory.models.PurchaseOrderStatus",
}


# --- availability -----------------------------------------------------------------


def test_availability_answers_what_ships_now_and_when_the_rest_comes(rep_api, product, main_wh):
    add_stock(product, main_wh, 30)
    issued_purchase_order(product, 40, expected_date=dt.date(2026, 12, 3))

    response = rep_api.get(f"/api/v1/products/{product.pk}/availability/", {"quantity": 50, "on": "2026-11-25"})

    assert response.status_code == 200
    assert response.json() == {
        "product": product.pk,
        "quantity": 50,
        "on_hand": 30,
        "allocated": 0,
        "available": 30,
        "backordered": 0,
        "incoming": [{"expected_date": "2026-12-03", "quantity": 40}],
        "incoming_quantity": 40,
        "can_ship_now": False,
        "shippable_quantity": 30,
        "expected_date": "2026-12-03",
        "expected_date_source": "purchase_order",
    }


@pytest.mark.parametrize("query", [{}, {"quantity": 0}, {"quantity": -1}, {"quantity": "x"}, {"quantity": 1_000_001}])
def test_availability_needs_a_positive_quantity(rep_api, product, query):
    response = rep_api.get(f"/api/v1/products/{product.pk}/availability/", query)

    assert response.status_code == 400
    assert "quantity" in response.json()


def test_availability_of_an_unknown_product_is_404(rep_api, db):
    assert rep_api.get("/api/v1/products/999999/availability/", {"quantity": 1}).status_code == 404


# --- stock and moves --------------------------------------------------------------


def test_stock_list_for_every_role(api_as, rep_user, manager_user, product, main_wh, osaka_wh):
    add_stock(product, main_wh, 10)
    add_stock(product, osaka_wh, 2)
    make_demand(product, 4)

    for user in (rep_user, manager_user):
        response = api_as(user).get("/api/v1/stock/", {"product": product.pk})
        assert response.status_code == 200
        assert [
            (row["warehouse_code"], row["on_hand"], row["allocated"], row["available"])
            for row in response.json()["results"]
        ] == [("MAIN", 10, 4, 6), ("OSAKA", 2, 0, 2)]


def test_stock_list_query_count_does_not_grow_with_rows(admin_api, main_wh, django_assert_num_queries):
    admin_api.get("/api/v1/stock/")  # the user's roles are read once, then cached
    for _ in range(3):
        add_stock(ProductFactory(), main_wh, 5)
    with django_assert_num_queries(2):  # count, page (products and warehouses joined)
        small = admin_api.get("/api/v1/stock/")
    for _ in range(20):
        add_stock(ProductFactory(), main_wh, 5)
    with django_assert_num_queries(2):
        large = admin_api.get("/api/v1/stock/")

    assert (small.json()["count"], large.json()["count"]) == (3, 23)


def test_stock_moves_are_read_only(admin_api, rep_api, product, main_wh, admin_user):
    add_stock(product, main_wh, 10, user=admin_user)

    response = rep_api.get("/api/v1/stock-moves/", {"product": product.pk, "kind": "stock_take"})
    assert response.status_code == 200
    [move] = response.json()["results"]
    assert (move["quantity"], move["kind"], move["created_by"]) == (10, "stock_take", "admin1")
    assert admin_api.post("/api/v1/stock-moves/", {}).status_code == 405
    assert admin_api.delete(f"/api/v1/stock-moves/{move['id']}/").status_code == 405


def test_stock_moves_query_count(admin_api, product, main_wh, django_assert_num_queries, admin_user):
    admin_api.get("/api/v1/stock-moves/")
    for n in range(1, 15):
        add_stock(product, main_wh, n, user=admin_user)

    with django_assert_num_queries(2):
        response = admin_api.get("/api/v1/stock-moves/")

    assert response.json()["count"] == 14


# --- stock adjustments ------------------------------------------------------------


def test_stock_adjustment_writes_a_stock_take_move(admin_api, product, main_wh):
    add_stock(product, main_wh, 10)

    response = admin_api.post(
        "/api/v1/stock-adjustments/",
        {"product": product.pk, "warehouse": main_wh.pk, "counted_quantity": 7, "reason": "棚卸 11月"},
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["difference"], body["on_hand"], body["allocated"], body["available"]) == (-3, 7, 0, 7)
    assert (body["move"]["kind"], body["move"]["quantity"], body["move"]["note"]) == ("stock_take", -3, "棚卸 11月")
    listed = admin_api.get("/api/v1/stock-adjustments/").json()
    assert [m["quantity"] for m in listed["results"]] == [-3, 10]


def count_below_allocated(api, product, warehouse, **headers):
    """10 on hand, 8 of them allocated to orders.OrderLine:42; a count of 5 comes in."""
    add_stock(product, warehouse, 10)
    make_demand(product, 8, reference="orders.OrderLine:42")
    return api.post(
        "/api/v1/stock-adjustments/",
        {"product": product.pk, "warehouse": warehouse.pk, "counted_quantity": 5, "reason": "棚卸"},
        **headers,
    )


def test_stock_adjustment_below_allocated_is_400_naming_the_orders(admin_api, product, main_wh):
    response = count_below_allocated(admin_api, product, main_wh)

    assert response.status_code == 400
    assert "orders.OrderLine:42 (8)" in response.json()["counted_quantity"][0]
    assert StockLevel.objects.get(product=product).on_hand == 10


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"product": 999_999}, "product"),
        ({"warehouse": 999_999}, "warehouse"),
        ({"counted_quantity": -1}, "counted_quantity"),
        ({"counted_quantity": "many"}, "counted_quantity"),
        ({"reason": ""}, "reason"),
        ({"service": True}, "product"),
    ],
)
def test_bad_stock_adjustments_are_400_and_change_nothing(admin_api, product, service_product, main_wh, change, field):
    add_stock(product, main_wh, 10)
    body = {"product": product.pk, "warehouse": main_wh.pk, "counted_quantity": 3, "reason": "棚卸"}
    if change.pop("service", False):
        body["product"] = service_product.pk
    body.update(change)

    response = admin_api.post("/api/v1/stock-adjustments/", body)

    assert response.status_code == 400
    assert field in response.json()
    assert StockMove.objects.count() == 1
    assert list(StockLevel.objects.values_list("on_hand", flat=True)) == [10]


def test_only_sales_admins_adjust_stock(rep_api, manager_api, product, main_wh):
    body = {"product": product.pk, "warehouse": main_wh.pk, "counted_quantity": 3, "reason": "棚卸"}

    assert rep_api.post("/api/v1/stock-adjustments/", body).status_code == 403
    assert manager_api.post("/api/v1/stock-adjustments/", body).status_code == 403
    assert rep_api.get("/api/v1/stock-adjustments/").status_code == 403
    assert manager_api.get("/api/v1/stock-adjustments/").status_code == 200
    assert StockMove.objects.count() == 0


# --- purchase orders --------------------------------------------------------------


def create_po(client, product, quantity=10, **extra):
    return client.post(
        "/api/v1/purchase-orders/",
        {
            "supplier": product.supplier_id,
            "expected_date": "2026-12-03",
            "lines": [{"product": product.pk, "quantity": quantity, "unit_cost": "550.00"}],
            **extra,
        },
    )


def test_purchase_order_flow_create_issue_receive(admin_api, product, main_wh):
    waiting = make_demand(product, 6, reference="orders.OrderLine:7", label="受注 SO-2026-000003 の 1 行目")

    created = create_po(admin_api, product)
    assert created.status_code == 201, created.json()
    po = created.json()
    assert (po["status"], po["number"], po["warehouse"], po["expected_date"]) == ("draft", "", main_wh.pk, "2026-12-03")
    assert [(ln["quantity"], ln["unit_cost"], ln["outstanding_quantity"]) for ln in po["lines"]] == [(10, "550.00", 10)]

    issued = admin_api.post(f"/api/v1/purchase-orders/{po['id']}/issue/")
    assert issued.status_code == 200
    assert issued.json()["status"] == "issued"
    assert issued.json()["number"].startswith("PO-")

    line_id = po["lines"][0]["id"]
    received = admin_api.post(
        f"/api/v1/purchase-orders/{po['id']}/receive/", {"lines": [{"line": line_id, "quantity": 8}]}
    )
    assert received.status_code == 200, received.json()
    body = received.json()
    assert body["purchase_order"]["status"] == "partially_received"
    assert body["purchase_order"]["lines"][0]["received_quantity"] == 8
    assert body["served"] == [
        {"reference": "orders.OrderLine:7", "label": "受注 SO-2026-000003 の 1 行目", "allocated": 6}
    ]
    assert waiting.demand.__class__.objects.get(pk=waiting.demand.pk).allocated == 6


def test_issue_twice_is_409(admin_api, product, main_wh):
    po = create_po(admin_api, product).json()
    admin_api.post(f"/api/v1/purchase-orders/{po['id']}/issue/")

    response = admin_api.post(f"/api/v1/purchase-orders/{po['id']}/issue/")

    assert response.status_code == 409
    assert "status" in response.json()


def test_receiving_more_than_ordered_is_400_unless_allowed(admin_api, product, main_wh):
    po = create_po(admin_api, product).json()
    admin_api.post(f"/api/v1/purchase-orders/{po['id']}/issue/")
    line = po["lines"][0]["id"]
    url = f"/api/v1/purchase-orders/{po['id']}/receive/"

    refused = admin_api.post(url, {"lines": [{"line": line, "quantity": 11}]})
    assert refused.status_code == 400
    assert "lines" in refused.json()
    assert StockMove.objects.count() == 0

    allowed = admin_api.post(url, {"lines": [{"line": line, "quantity": 11}], "allow_over_receipt": True})
    assert allowed.status_code == 200
    assert allowed.json()["purchase_order"]["status"] == "received"


@pytest.mark.parametrize(
    "body",
    [
        {"lines": []},
        {"lines": [{"line": 999_999, "quantity": 1}]},
        {"lines": [{"line": "LINE", "quantity": 0}]},
        {"lines": [{"line": "LINE", "quantity": 2}, {"line": "LINE", "quantity": 3}]},
        {"lines": [{"line": "LINE", "quantity": -5}]},
        {},
    ],
)
def test_bad_receipts_are_400_and_write_nothing(admin_api, product, main_wh, body):
    po = create_po(admin_api, product).json()
    admin_api.post(f"/api/v1/purchase-orders/{po['id']}/issue/")
    for item in body.get("lines", []):
        if item["line"] == "LINE":
            item["line"] = po["lines"][0]["id"]

    response = admin_api.post(f"/api/v1/purchase-orders/{po['id']}/receive/", body)

    assert response.status_code == 400
    assert "lines" in response.json()
    assert StockMove.objects.count() == 0
    assert PurchaseOrder.objects.get().status == "issued"


def test_input_limits_are_read_per_request_not_at_import(admin_api, product, main_wh, settings):
    po = create_po(admin_api, product).json()
    admin_api.post(f"/api/v1/purchase-orders/{po['id']}/issue/")
    settings.LIMITS = {**settings.LIMITS, "max_quantity": 3, "max_lines_per_document": 1}
    line = po["lines"][0]["id"]

    too_many = admin_api.post(
        f"/api/v1/purchase-orders/{po['id']}/receive/", {"lines": [{"line": line, "quantity": 4}]}
    )
    too_long = admin_api.post(
        f"/api/v1/purchase-orders/{po['id']}/receive/",
        {"lines": [{"line": line, "quantity": 1}, {"line": line + 1, "quantity": 1}]},
    )

    assert too_many.status_code == 400
    assert too_many.json() == {"lines": {"0": {"quantity": ["この値は3以下にしてください。"]}}}
    assert too_long.status_code == 400
    assert too_long.json() == {"lines": {"non_field_errors": ["Ensure this field has no more than 1 elements."]}}
    assert StockMove.objects.count() == 0


def test_receiving_on_a_cancelled_order_is_400(admin_api, product, main_wh):
    po = create_po(admin_api, product).json()
    admin_api.post(f"/api/v1/purchase-orders/{po['id']}/issue/")
    cancelled = admin_api.post(f"/api/v1/purchase-orders/{po['id']}/cancel/", {"reason": "欠品"})
    assert cancelled.json()["status"] == "cancelled"

    response = admin_api.post(
        f"/api/v1/purchase-orders/{po['id']}/receive/", {"lines": [{"line": po["lines"][0]["id"], "quantity": 1}]}
    )

    assert response.status_code == 400
    assert "status" in response.json()
    assert StockLevel.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"supplier": 999_999}, "supplier"),
        ({"lines": []}, "lines"),
        ({"lines": [{"product": 999_999, "quantity": 1}]}, "lines"),
        ({"lines": [{"product": "PRODUCT", "quantity": 0}]}, "lines"),
        ({"lines": [{"product": "SERVICE", "quantity": 1}]}, "lines"),
        ({"warehouse": 999_999}, "warehouse"),
    ],
)
def test_bad_purchase_orders_are_400(admin_api, product, service_product, main_wh, body, field):
    for line in body.get("lines", []):
        line["product"] = {"PRODUCT": product.pk, "SERVICE": service_product.pk}.get(line["product"], line["product"])
    payload = {"supplier": product.supplier_id, "lines": [{"product": product.pk, "quantity": 1}], **body}

    response = admin_api.post("/api/v1/purchase-orders/", payload)

    assert response.status_code == 400
    assert field in response.json()
    assert PurchaseOrder.objects.count() == 0


def test_draft_can_be_patched_and_issued_cannot(admin_api, product, main_wh):
    po = create_po(admin_api, product).json()

    patched = admin_api.patch(
        f"/api/v1/purchase-orders/{po['id']}/", {"lines": [{"product": product.pk, "quantity": 3}], "notes": "急ぎ"}
    )
    assert patched.status_code == 200
    assert (patched.json()["notes"], patched.json()["lines"][0]["quantity"]) == ("急ぎ", 3)

    admin_api.post(f"/api/v1/purchase-orders/{po['id']}/issue/")
    assert admin_api.patch(f"/api/v1/purchase-orders/{po['id']}/", {"notes": "x"}).status_code == 409


def test_purchase_order_roles(admin_api, rep_api, manager_api, product, main_wh):
    po = create_po(admin_api, product).json()
    url = f"/api/v1/purchase-orders/{po['id']}/"

    assert rep_api.get("/api/v1/purchase-orders/").status_code == 403
    assert rep_api.get(url).status_code == 403
    assert manager_api.get(url).status_code == 200
    assert manager_api.post(f"{url}issue/").status_code == 403
    assert manager_api.post(f"{url}receive/", {"lines": []}).status_code == 403
    assert create_po(manager_api, product).status_code == 403
    assert rep_api.post(f"{url}issue/").status_code == 403
    assert admin_api.get("/api/v1/purchase-orders/999999/").status_code == 404
    assert admin_api.post("/api/v1/purchase-orders/999999/issue/").status_code == 404
    assert PurchaseOrder.objects.get().status == "draft"


def test_purchase_order_list_query_count(admin_api, main_wh, django_assert_num_queries):
    admin_api.get("/api/v1/purchase-orders/")
    for _ in range(2):
        issued_purchase_order(ProductFactory(), 5)
    with django_assert_num_queries(4):  # count, page, lines, their products
        small = admin_api.get("/api/v1/purchase-orders/")
    for _ in range(10):
        issued_purchase_order(ProductFactory(), 5)
    with django_assert_num_queries(4):
        large = admin_api.get("/api/v1/purchase-orders/")

    assert (small.json()["count"], large.json()["count"]) == (2, 12)


def test_filter_purchase_orders_by_status_and_product(admin_api, product, main_wh):
    issued_purchase_order(product, 5)
    create_po(admin_api, ProductFactory())

    assert admin_api.get("/api/v1/purchase-orders/", {"status": "draft"}).json()["count"] == 1
    assert admin_api.get("/api/v1/purchase-orders/", {"product": product.pk}).json()["count"] == 1


# --- suggestions ------------------------------------------------------------------


def test_suggestions_and_ordering_them(admin_api, manager_api, rep_api, main_wh):
    product = ProductFactory(sku="A-100", reorder_point=10, reorder_quantity=50)
    add_stock(product, main_wh, 4)

    response = manager_api.get("/api/v1/purchase-orders/suggestions/")

    assert response.status_code == 200
    [group] = response.json()
    assert group["supplier"]["id"] == product.supplier_id
    assert group["lines"] == [
        {
            "product": product.pk,
            "sku": "A-100",
            "name": product.name,
            "unit_cost": "600.00",
            "available": 4,
            "incoming": 0,
            "backordered": 0,
            "projected": 4,
            "reorder_point": 10,
            "reorder_quantity": 50,
            "on_draft": 0,
            "suggested_quantity": 50,
        }
    ]
    assert rep_api.get("/api/v1/purchase-orders/suggestions/").status_code == 403
    assert manager_api.post("/api/v1/purchase-orders/suggestions/", {}).status_code == 403

    created = admin_api.post(
        "/api/v1/purchase-orders/suggestions/", {"items": [{"product": product.pk, "quantity": 60}]}
    )
    assert created.status_code == 201, created.json()
    [po] = created.json()["purchase_orders"]
    assert (po["status"], po["lines"][0]["quantity"]) == ("draft", 60)
    assert admin_api.get("/api/v1/purchase-orders/suggestions/").json() == []


def test_ordering_a_product_without_suggestion_is_400(admin_api, product, main_wh):
    response = admin_api.post("/api/v1/purchase-orders/suggestions/", {"items": [{"product": product.pk}]})

    assert response.status_code == 400
    assert "items" in response.json()
    assert PurchaseOrder.objects.count() == 0


def test_suggestions_filter_by_supplier(admin_api, main_wh):
    a = ProductFactory(reorder_point=1, reorder_quantity=1)
    ProductFactory(reorder_point=1, reorder_quantity=1)

    groups = admin_api.get("/api/v1/purchase-orders/suggestions/", {"supplier": a.supplier_id}).json()

    assert [g["supplier"]["id"] for g in groups] == [a.supplier_id]
    assert admin_api.get("/api/v1/purchase-orders/suggestions/", {"supplier": "x"}).status_code == 400


# --- schema -----------------------------------------------------------------------


def test_inventory_schema_generates_without_warnings(capsys, settings):
    # Other apps have a "kind" and "status" too: the project settings name ours (see the report).
    overrides = settings.SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {})
    settings.SPECTACULAR_SETTINGS = {
        **settings.SPECTACULAR_SETTINGS,
        "ENUM_NAME_OVERRIDES": {**INVENTORY_ENUM_NAMES, **overrides},
    }
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include(inventory_urls))]).get_schema(request=None, public=True)

    for url in [
        "/api/v1/products/{id}/availability/",
        "/api/v1/stock/",
        "/api/v1/stock-moves/",
        "/api/v1/stock-adjustments/",
        "/api/v1/purchase-orders/",
        "/api/v1/purchase-orders/{id}/issue/",
        "/api/v1/purchase-orders/{id}/receive/",
        "/api/v1/purchase-orders/{id}/cancel/",
        "/api/v1/purchase-orders/suggestions/",
    ]:
        assert url in schema["paths"], url
    err = capsys.readouterr().err
    assert not GENERATOR_STATS, err
    assert "Warning" not in err


def test_second_warehouse_can_be_read_by_code(rep_api, product, main_wh):
    far = WarehouseFactory(code="FAR")
    add_stock(product, far, 3)

    rows = rep_api.get("/api/v1/stock/", {"warehouse": far.pk}).json()["results"]

    assert [(r["product_sku"], r["on_hand"]) for r in rows] == [("A-100", 3)]


def test_errors_speak_japanese(admin_api, product, main_wh):
    response = count_below_allocated(admin_api, product, main_wh, HTTP_ACCEPT_LANGUAGE="ja")

    assert response.json()["counted_quantity"] == [
        "実在庫が 5 となり、引当済の 8 を下回ります（引当先：orders.OrderLine:42 (8)）。"
        "先に引当を解除するか出荷してください。"
    ]


def test_model_labels_are_translated():
    with translation.override("ja"):
        assert str(StockLevel._meta.verbose_name) == "在庫"
        assert str(StockLevel._meta.get_field("on_hand").verbose_name) == "実在庫"
        assert str(PurchaseOrder._meta.get_field("expected_date").verbose_name) == "入荷予定日"
