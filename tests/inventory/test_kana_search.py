"""Issue #12 item 13: suppliers and products are found by their reading however it is typed."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client

import inventory
from inventory.models import Product, Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(admin_api):
    response = admin_api.post(
        "/api/v1/suppliers/", {"code": "S001", "name": "東京機工株式会社", "name_kana": "ﾄｳｷﾖｳｷｺｳ", "lead_time_days": 3}
    )
    assert response.status_code == 201, response.data
    admin_api.post("/api/v1/suppliers/", {"code": "S002", "name": "大阪商会", "name_kana": "オオサカシヨウカイ"})
    return Supplier.objects.get(code="S001")


@pytest.fixture
def product(admin_api, supplier):
    payload = {"name": "ミネラルウォーター", "list_price": "1680", "tax_category": "reduced", "supplier": supplier.pk}
    response = admin_api.post("/api/v1/products/", {**payload, "sku": "F-400", "name_kana": "ミネラルウオ-タ-"})
    assert response.status_code == 201, response.data
    admin_api.post("/api/v1/products/", {**payload, "sku": "F-401", "name": "緑茶", "name_kana": "リヨクチヤ"})
    return Product.objects.get(sku="F-400")


@pytest.mark.parametrize(
    ("typed", "codes"),
    [("とうきょう", ["S001"]), ("トウキョウキコウ", ["S001"]), ("ｼｮｳｶｲ", ["S002"]), ("きこう", ["S001"])],
)
def test_supplier_search(admin_api, supplier, typed, codes):
    response = admin_api.get("/api/v1/suppliers/", {"search": typed})
    assert [row["code"] for row in response.data["results"]] == codes


@pytest.mark.parametrize(
    ("typed", "skus"),
    [("みねらるうぉーたー", ["F-400"]), ("ﾐﾈﾗﾙｳｫｰﾀｰ", ["F-400"]), ("りょくちゃ", ["F-401"]), ("とうきょう", [])],
)
def test_product_search(admin_api, product, typed, skus):
    response = admin_api.get("/api/v1/products/", {"search": typed})
    assert [row["sku"] for row in response.data["results"]] == skus


def test_admin_finds_the_supplier_by_its_reading(admin_user, supplier):
    client = Client()
    client.force_login(admin_user)

    response = client.get("/admin/inventory/supplier/", {"q": "とうきょう"})

    assert [row.code for row in response.context["cl"].result_list] == ["S001"]


def test_the_data_migration_keys_existing_suppliers_and_products(db):
    old = Supplier.objects.create(code="S009", name="東京機工", name_kana="ﾄｳｷｮｳｷｺｳ")
    Product.objects.create(sku="F-409", name="水", name_kana="ﾐｽﾞ", list_price=100, supplier=old)
    (path,) = (Path(inventory.__file__).parent / "migrations").glob("*_fill_name_kana_key.py")
    migration = importlib.import_module(f"inventory.migrations.{path.stem}")

    migration.fill(apps, None)

    assert Supplier.objects.get(code="S009").name_kana_key == "トウキヨウキコウ"
    assert Product.objects.get(sku="F-409").name_kana_key == "ミズ"
