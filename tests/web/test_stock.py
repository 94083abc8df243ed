"""The stock screens: levels per warehouse with what is allocated, available and coming, the
ledger of a product with the balance after each move, and the stock take: counted quantities,
the differences shown before saving, a count below what is allocated refused next to its
field. Every role reads; only sales admins change stock."""

import datetime as dt

import pytest

from inventory import services
from inventory.models import StockLevel, StockMove
from tests.factories import ProductFactory, WarehouseFactory, stock
from tests.inventory.factories import issued_purchase_order, make_demand
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def osaka(db):
    return WarehouseFactory(code="OSAKA", name="大阪倉庫")


@pytest.fixture
def bolt(db, warehouse, osaka, admin_user, company):
    """Tokyo: 100 counted, 3 broken, 30 allocated; Osaka: 12; 50 coming into Tokyo."""
    product = ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱", reorder_point=20)
    stock(product, warehouse, 100, user=admin_user)
    services.stock_adjust(product=product, warehouse=warehouse, quantity=-3, reason="破損", user=admin_user)
    stock(product, osaka, 12, user=admin_user)
    make_demand(product, 30, label="受注 SO-2026-000001 の 1 行目")
    issued_purchase_order(product, 50, warehouse=warehouse, user=admin_user)
    return product


@pytest.fixture
def nut(db, warehouse, admin_user):
    product = ProductFactory(sku="A-101", name="ステンレスナット M8", unit="個")
    stock(product, warehouse, 40, user=admin_user)
    return product


def counts(warehouse, **counted):
    return {"warehouse": warehouse.pk, "q": "", "reason": "12月 月末棚卸", **counted}


def test_levels_per_warehouse_with_allocated_available_and_incoming(rep_user, bolt):
    text = text_of(client_for(rep_user).get("/stock/"))

    assert "A-100 ステンレスボルト M8 東京倉庫 97 箱 30 67 50 20 台帳" in text
    assert "A-100 ステンレスボルト M8 大阪倉庫 12 箱 0 12 0 20 台帳" in text
    assert "棚卸" not in text.split("ログアウト", 1)[1]  # a rep is offered no stock take


def test_levels_of_one_warehouse(admin_user, bolt, osaka):
    text = text_of(client_for(admin_user).get(f"/stock/?warehouse={osaka.pk}"))

    assert "在庫: 大阪倉庫" in text and "大阪倉庫 12 箱" in text and "東京倉庫 97" not in text


def test_the_ledger_shows_each_move_with_the_balance_after_it(rep_user, bolt, warehouse):
    text = text_of(client_for(rep_user).get(f"/stock/products/{bolt.pk}/?warehouse={warehouse.pk}"))

    assert "東京倉庫 実在庫 97 箱（引当済 30、引当可能 67）" in text
    assert "2026/11/20 10:00 在庫調整 東京倉庫 -3 97 破損 admin1" in text
    assert "2026/11/20 10:00 棚卸 東京倉庫 +100 100 opening stock admin1" in text


def test_the_ledger_of_all_warehouses_runs_one_balance(admin_user, bolt):
    text = text_of(client_for(admin_user).get(f"/stock/products/{bolt.pk}/"))

    assert "残高（全倉庫）" in text
    assert "棚卸 大阪倉庫 +12 109" in text and "在庫調整 東京倉庫 -3 97" in text and "+100 100" in text


def test_a_count_shows_the_differences_before_anything_is_saved(admin_user, bolt, nut, warehouse):
    response = client_for(admin_user).post(
        "/stock/take/", {**counts(warehouse, **{f"counted_{bolt.pk}": "95"}), "preview": "1"}
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "A-100 ステンレスボルト M8: 97 → 95 (-2)" in text
    assert "ステンレスナット M8: 40" not in text  # not counted, not listed as a difference
    assert "棚卸を保存" in text
    assert StockLevel.objects.get(product=bolt, warehouse=warehouse).on_hand == 97


def test_saving_the_count_records_the_differences(admin_user, bolt, nut, warehouse):
    client = client_for(admin_user)
    data = counts(warehouse, **{f"counted_{bolt.pk}": "95", f"counted_{nut.pk}": "40"})

    response = client.post("/stock/take/", {**data, "save": "1"})

    assert response.status_code == 302 and response["Location"] == f"/stock/?warehouse={warehouse.pk}"
    assert StockLevel.objects.get(product=bolt, warehouse=warehouse).on_hand == 95
    assert StockLevel.objects.get(product=nut, warehouse=warehouse).on_hand == 40
    move = StockMove.objects.filter(kind="stock_take", product=bolt).latest("pk")
    assert (move.quantity, move.note) == (-2, "12月 月末棚卸")
    assert not StockMove.objects.filter(kind="stock_take", product=nut, quantity__lt=40).exists()
    assert "東京倉庫の棚卸を保存しました：2 商品を棚卸、1 商品を修正。" in text_of(client.get(response["Location"]))


def test_a_count_below_what_is_allocated_is_refused_next_to_it_and_nothing_is_saved(admin_user, bolt, nut, warehouse):
    data = counts(warehouse, **{f"counted_{nut.pk}": "38", f"counted_{bolt.pk}": "20"})

    response = client_for(admin_user).post("/stock/take/", {**data, "save": "1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'<p class="error" id="id_counted_{bolt.pk}_error" role="alert">実在庫が 20 となり、引当済の 30 を下回ります'
        "（引当先：受注 SO-2026-000001 の 1 行目 (30)）。先に引当を解除するか出荷してください。</p>"
    ) in html
    assert StockLevel.objects.get(product=nut, warehouse=warehouse).on_hand == 40  # all or nothing
    assert StockLevel.objects.get(product=bolt, warehouse=warehouse).on_hand == 97


def test_a_count_needs_a_reason(admin_user, bolt, warehouse):
    data = {**counts(warehouse, **{f"counted_{bolt.pk}": "95"}), "reason": "", "save": "1"}

    response = client_for(admin_user).post("/stock/take/", data)

    assert response.status_code == 200 and "理由 * この項目は必須です。" in text_of(response)
    assert StockLevel.objects.get(product=bolt, warehouse=warehouse).on_hand == 97


def test_reps_and_managers_cannot_change_stock(rep_user, manager_user, bolt, warehouse):
    for user in (rep_user, manager_user):
        client = client_for(user)
        assert client.get("/stock/").status_code == 200
        assert client.get("/stock/take/").status_code == 403
        data = {**counts(warehouse, **{f"counted_{bolt.pk}": "0"}), "save": "1"}
        assert client.post("/stock/take/", data).status_code == 403
    assert StockLevel.objects.get(product=bolt, warehouse=warehouse).on_hand == 97
