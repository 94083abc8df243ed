import datetime as dt
from decimal import Decimal

import pytest

from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, ship_order, stock

TODAY = dt.date(2026, 12, 1)  # the day after the November closing (a Tuesday)


@pytest.fixture
def today():
    return TODAY


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
    order_lines = [
        LineInput(quantity=1, description=f"作業{index}", unit_price=Decimal(amount), tax_rate=rate, unit="式")
        for index, (amount, rate) in enumerate(lines, start=1)
    ]
    return ship_order(user, customer, order_lines, on)


def ship_product(user, customer, product, quantity, on: dt.date, warehouse):
    """`quantity` of the product counted into the warehouse, ordered and shipped on `on`."""
    stock(product, warehouse, quantity, user=user)
    return ship_order(user, customer, [LineInput(product=product, quantity=quantity)], on)
