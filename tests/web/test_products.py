"""The products screen on the server: lookup by SKU, name or kana with stock per warehouse, and
"can I ship N, and when?" answered in place (htmx) with the date from the open purchase orders
or the lead time; bad quantities answered in Japanese; queries bounded."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from inventory import services as inventory_services
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory, stock
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return dt.date(2026, 12, 3)  # a Thursday


@pytest.fixture
def bolt(admin_user, warehouse, company, today):
    """A-100: 20 in Tokyo (5 allocated), 10 in Osaka, 40 coming to Tokyo on 2026/12/11."""
    product = ProductFactory(
        sku="A-100",
        name="ステンレスボルト M8",
        name_kana="ステンレスボルト",
        unit="箱",
        list_price=Decimal("1200"),
        supplier=SupplierFactory(name="東洋金属", lead_time_days=5),
    )
    stock(product, warehouse, 20)
    stock(product, WarehouseFactory(code="OSAKA", name="大阪倉庫"), 10)
    inventory_services.demand_create_and_allocate(
        reference="test:1", product=product, quantity=5, priority_date=today, user=admin_user
    )
    purchase_order = inventory_services.purchase_order_create(
        supplier=product.supplier,
        warehouse=warehouse,
        expected_date=dt.date(2026, 12, 11),
        lines=[{"product": product, "quantity": 40}],
        user=admin_user,
    )
    inventory_services.purchase_order_issue(purchase_order=purchase_order, user=admin_user)
    return product


def ask(user, product, quantity):
    return client_for(user).get(
        f"/products/{product.pk}/availability/", {"quantity": quantity}, headers={"HX-Request": "true"}
    )


@pytest.mark.parametrize("typed", ["すてんれす", "ｽﾃﾝﾚｽ", "A-1", "ボルト M8"])
def test_the_lookup_finds_the_product_however_it_is_typed(rep_user, bolt, typed):
    ProductFactory(sku="B-200", name="六角ナット", name_kana="ロッカクナット")

    text = text_of(client_for(rep_user).get("/products/", {"q": typed}))

    assert "A-100 ステンレスボルト M8" in text
    assert "六角ナット" not in text


def test_the_list_shows_stock_totals_and_per_warehouse(rep_user, bolt):
    text = text_of(client_for(rep_user).get("/products/"))

    assert "A-100 ステンレスボルト M8" in text
    assert "東京倉庫: 実在庫 20 / 引当済 5 / 引当可能 15 / 入荷予定 40" in text
    assert "大阪倉庫: 実在庫 10 / 引当済 0 / 引当可能 10 / 入荷予定 0" in text
    assert "30 箱 5 25 40" in text  # on hand, allocated, available, incoming


@pytest.mark.parametrize(
    ("quantity", "answer"),
    [
        (20, "20 箱: 全数即日出荷"),
        (50, "50 箱: 25 箱 即日出荷、残り 25 箱は 2026/12/11 出荷予定 (発注の入荷予定日から)"),
    ],
)
def test_can_i_ship_n_is_answered_in_place(rep_user, bolt, quantity, answer):
    response = ask(rep_user, bolt, quantity)

    assert response.status_code == 200
    assert text_of(response) == answer


def test_without_stock_or_purchase_order_the_date_comes_from_the_lead_time(rep_user, warehouse):
    nut = ProductFactory(sku="B-200", name="六角ナット", unit="個", supplier=SupplierFactory(lead_time_days=5))

    # 5 business days after Thursday 2026/12/03
    assert text_of(ask(rep_user, nut, 10)) == "10 個: 入荷待ち、2026/12/10 出荷予定 (仕入先のリードタイムからの見込み)"


@pytest.mark.parametrize(
    ("quantity", "error"), [("0", "この値は 1 以上でなければなりません。"), ("abc", "整数を入力してください。")]
)
def test_a_bad_quantity_is_answered_in_japanese(rep_user, bolt, quantity, error):
    response = ask(rep_user, bolt, quantity)

    assert response.status_code == 422
    assert text_of(response) == error


def test_without_htmx_the_answer_opens_on_the_products_page(rep_user, bolt):
    client = client_for(rep_user)

    response = client.get(f"/products/{bolt.pk}/availability/", {"quantity": 50})

    assert response.status_code == 302 and response["Location"] == f"/products/{bolt.pk}/?quantity=50"
    assert "50 箱: 25 箱 即日出荷、残り 25 箱は 2026/12/11 出荷予定" in text_of(client.get(response["Location"]))


def test_the_product_page_shows_stock_per_warehouse_and_open_purchase_orders(manager_user, bolt):
    text = text_of(client_for(manager_user).get(f"/products/{bolt.pk}/"))

    assert "定価 ¥1,200" in text and "仕入先 東洋金属" in text
    assert "東京倉庫 20 5 15 40" in text
    assert "大阪倉庫 10 0 10 0" in text
    assert "合計 30 5 25 40" in text
    assert re.search(r"PO-2026-\d+ 東洋金属 東京倉庫 2026/12/11 40 0 40", text)


def test_the_list_queries_stay_bounded(rep_user, warehouse, django_assert_max_num_queries):
    for n in range(40):
        stock(ProductFactory(sku=f"K-{n:03d}"), warehouse, n + 1)
    client = client_for(rep_user)

    with django_assert_max_num_queries(9):
        response = client.get("/products/")

    text = text_of(response)
    assert "K-029" in text and "K-030" not in text  # 30 a page


def test_signing_in_is_required(bolt):
    assert Client().get("/products/").status_code == 302
    assert Client().get(f"/products/{bolt.pk}/").status_code == 302
