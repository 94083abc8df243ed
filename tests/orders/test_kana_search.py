"""Issue #12 item 13: kana search finds a customer however its reading is typed."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client

import orders
from orders import services as order_services
from orders.models import Customer
from orders.services import LineInput

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


def _customer(admin_api, code, name, kana):
    payload = {"code": code, "name": name, "name_kana": kana, "closing_day": 31, "payment_day": 31}
    response = admin_api.post(URL, payload)
    assert response.status_code == 201, response.data
    return Customer.objects.get(code=code)


@pytest.fixture
def customers(admin_api, company):
    """Stored the bank's way: no small kana (シヨ, キヨ), full-width katakana."""
    return {
        "yamada": _customer(admin_api, "C001", "株式会社山田製作所", "ヤマダセイサクシヨ"),
        "tokyo": _customer(admin_api, "C002", "東京商事株式会社", "トウキヨウシヨウジ"),
        "aoba": _customer(admin_api, "C003", "株式会社青葉", "アオバ"),
    }


SEARCHES = [
    ("ヤマダ", ["C001"]),
    ("やまだ", ["C001"]),
    ("ﾔﾏﾀﾞ", ["C001"]),
    ("セイサクショ", ["C001"]),
    ("せいさくしょ", ["C001"]),
    ("ﾔﾏﾀﾞｾｲｻｸｼｮ", ["C001"]),
    ("トウキョウ", ["C002"]),
    ("ﾄｳｷｮｳ ｼｮｳｼﾞ", ["C002"]),  # two words, both in the reading
    ("しょうじ", ["C002"]),
    ("山田", ["C001"]),  # the name itself is still searched
    ("カワダ", []),
]


@pytest.mark.parametrize(("typed", "codes"), SEARCHES)
def test_api_customer_search_normalises_the_typed_and_the_stored_kana(admin_api, customers, typed, codes):
    response = admin_api.get(URL, {"search": typed})

    assert response.status_code == 200
    assert [row["code"] for row in response.data["results"]] == codes


def test_a_kana_changed_through_the_api_is_found_by_its_new_reading(admin_api, customers):
    aoba = customers["aoba"]
    response = admin_api.patch(f"{URL}{aoba.pk}/", {"name_kana": "ｱｵﾊﾞｼｮｳｶｲ"}, format="json")
    assert response.status_code == 200, response.data

    assert [r["code"] for r in admin_api.get(URL, {"search": "あおばしょうかい"}).data["results"]] == ["C003"]
    aoba.refresh_from_db()
    assert (aoba.name_kana, aoba.name_kana_key) == ("ｱｵﾊﾞｼｮｳｶｲ", "アオバシヨウカイ")


@pytest.mark.parametrize(("typed", "codes"), SEARCHES)
def test_admin_customer_search_normalises_the_typed_kana(admin_user, customers, typed, codes):
    client = Client()
    client.force_login(admin_user)

    response = client.get("/admin/orders/customer/", {"q": typed})

    assert response.status_code == 200
    assert [customer.code for customer in response.context["cl"].result_list] == codes


def test_orders_are_found_by_the_customers_kana(admin_api, admin_user, customers):
    for customer in (customers["yamada"], customers["tokyo"]):
        order_services.order_create(
            user=admin_user,
            data={"customer": customer},
            lines=[LineInput(quantity=1, description="作業", unit_price=1000, tax_rate=10, unit="式")],
        )

    response = admin_api.get("/api/v1/orders/", {"search": "やまだせいさくしょ"})

    assert [row["customer"] for row in response.data["results"]] == [customers["yamada"].pk]


def test_the_data_migration_keys_existing_customers(company):
    Customer.objects.create(code="C009", name="株式会社山田製作所", name_kana="ﾔﾏﾀﾞｾｲｻｸｼｮ")  # before the key existed
    (path,) = (Path(orders.__file__).parent / "migrations").glob("*_fill_name_kana_key.py")
    migration = importlib.import_module(f"orders.migrations.{path.stem}")

    migration.fill(apps, None)

    assert Customer.objects.get(code="C009").name_kana_key == "ヤマダセイサクシヨ"
