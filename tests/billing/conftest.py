import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from orders import services as order_services
from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory, complete_company_profile

TODAY = dt.date(2026, 12, 1)  # the day after the November closing (a Tuesday)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), tick=False):
        yield


@pytest.fixture
def company(db):
    return complete_company_profile()


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(code="TOKYO", name="東京倉庫", is_default=True)


@pytest.fixture
def customer(db, company, rep_user):
    """末締め翌月末払い, consolidated."""
    return CustomerFactory(code="C001", name="株式会社山田製作所", name_kana="ヤマダセイサクシヨ", sales_rep=rep_user)


@pytest.fixture
def per_shipment_customer(db, company, rep_user):
    return CustomerFactory(code="C002", name="株式会社田中商店", invoice_mode="per_shipment", sales_rep=rep_user)


@pytest.fixture
def other_customer(db, company, other_rep):
    return CustomerFactory(code="C003", name="株式会社佐藤工業", sales_rep=other_rep)


@pytest.fixture
def product(db):
    return ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱", list_price=Decimal("1000"))


def ship(user, customer, lines, on: dt.date):
    """A shipped shipment of free-text lines: lines is [(amount, tax rate)], each 1 unit."""
    order = order_services.order_create(
        user=user,
        data={"customer": customer, "order_date": on},
        lines=[
            LineInput(quantity=1, description=f"作業{index}", unit_price=Decimal(amount), tax_rate=rate, unit="式")
            for index, (amount, rate) in enumerate(lines, start=1)
        ],
    )
    order_services.order_confirm(order=order, user=user)
    shipment = order_services.shipment_create(order=order, user=user)
    return order_services.shipment_ship(shipment=shipment, user=user, shipped_on=on)


def ship_product(user, customer, product, quantity, on: dt.date, warehouse):
    from inventory import services as inventory_services

    inventory_services.stock_take(
        product=product, warehouse=warehouse, counted_quantity=quantity, reason="opening stock", user=user
    )
    order = order_services.order_create(
        user=user, data={"customer": customer, "order_date": on}, lines=[LineInput(product=product, quantity=quantity)]
    )
    order_services.order_confirm(order=order, user=user)
    shipment = order_services.shipment_create(order=order, user=user)
    return order_services.shipment_ship(shipment=shipment, user=user, shipped_on=on)
