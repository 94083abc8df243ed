import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from inventory import services as inventory_services
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory, WarehouseFactory, complete_company_profile

TODAY = dt.date(2026, 11, 20)  # a Friday; 11/23 is a holiday (勤労感謝の日)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), tick=False):
        yield


@pytest.fixture
def company(db):
    return complete_company_profile()


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(code="TOKYO", name="東京倉庫", is_default=True)


@pytest.fixture
def product_a(db):
    return ProductFactory(
        sku="A-100",
        name="ステンレスボルト M8",
        unit="箱",
        list_price=Decimal("1980"),
        supplier=SupplierFactory(lead_time_days=5),
    )


@pytest.fixture
def food(db):
    return ProductFactory(
        sku="F-400", name="ミネラルウォーター", unit="ケース", list_price=Decimal("1680"), tax_category="reduced"
    )


@pytest.fixture
def service_fee(db):
    return ProductFactory(
        sku="S-900", name="送料", unit="式", list_price=Decimal("1500"), track_stock=False, supplier=None
    )


@pytest.fixture
def customer(db, rep_user):
    return CustomerFactory(code="C001", name="株式会社山田製作所", sales_rep=rep_user)


def stock(product, warehouse, quantity, user=None):
    inventory_services.stock_take(
        product=product, warehouse=warehouse, counted_quantity=quantity, reason="opening stock", user=user
    )


def open_purchase_order(product, quantity, expected_date, user=None):
    po = inventory_services.purchase_order_create(
        supplier=product.supplier,
        expected_date=expected_date,
        lines=[{"product": product, "quantity": quantity}],
        user=user,
    )
    return inventory_services.purchase_order_issue(purchase_order=po, user=user)
