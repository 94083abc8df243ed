import datetime as dt
from decimal import Decimal

import pytest

from inventory import services as inventory_services
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory
from tests.factories import stock as stock  # the orders tests import it from here

TODAY = dt.date(2026, 11, 20)  # a Friday; 11/23 is a holiday (勤労感謝の日)


@pytest.fixture
def today():
    return TODAY


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


def open_purchase_order(product, quantity, expected_date, user=None):
    po = inventory_services.purchase_order_create(
        supplier=product.supplier,
        expected_date=expected_date,
        lines=[{"product": product, "quantity": quantity}],
        user=user,
    )
    return inventory_services.purchase_order_issue(purchase_order=po, user=user)
