"""A known set of sales across a year boundary, built through the real services.

Today is 2026-02-10. Fiscal year starts in April (the company default).

| # | shipped    | customer (rep)        | lines                          | net excl. tax | cost  |
|---|------------|-----------------------|--------------------------------|---------------|-------|
| 1 | 2025-01-15 | C001 yamada (rep1)    | A × 10 @1,000                  | 10,000        | 6,000 |
| 2 | 2025-12-20 | C001 yamada (rep1)    | A × 5, B × 4 @500 (8%)         |  7,000        | 4,200 |
| 3 | 2026-01-05 | C003 sato (rep2)      | A × 3                          |  3,000        | 1,800 |
| 4 | 2026-01-10 | C004 inclusive (rep1) | A × 1 @1,000 incl. 10% tax     |    910        |   600 |
| 5 | 2026-01-31 | C001 yamada (rep1)    | B × 10                         |  5,000        | 3,000 |
| 6 | 2026-02-01 | C003 sato (rep2)      | A × 2                          |  2,000        | 1,200 |
| - | 2026-01-12 | credit note on #2     | return A × 2                   | −2,000        | −1,200|

C001 is invoiced per shipment, so #2 has an invoice the credit note credits.
"""

import datetime as dt
from decimal import Decimal

import pytest

from billing import services as billing_services
from billing.models import Invoice
from billing.services import CreditLineInput
from inventory import services as inventory_services
from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory, ship_order

TODAY = dt.date(2026, 2, 10)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def osaka(db):
    return WarehouseFactory(code="OSAKA", name="大阪倉庫")


@pytest.fixture
def product_a(db):
    return ProductFactory(sku="A-100", name="ボルト", list_price=Decimal(1000), cost=Decimal(600), category="金物")


@pytest.fixture
def product_b(db):
    return ProductFactory(
        sku="B-200",
        name="お茶",
        list_price=Decimal(500),
        cost=Decimal(300),
        category="食品",
        tax_category="reduced",
    )


@pytest.fixture
def yamada(db, company, rep_user):
    return CustomerFactory(code="C001", name="山田製作所", sales_rep=rep_user, invoice_mode="per_shipment")


@pytest.fixture
def sato(db, company, other_rep):
    return CustomerFactory(code="C003", name="佐藤工業", sales_rep=other_rep)


@pytest.fixture
def inclusive(db, company, rep_user):
    return CustomerFactory(code="C004", name="内税商店", sales_rep=rep_user, tax_mode="inclusive")


def ship(user, customer, lines, on: dt.date, warehouse):
    """Stock, order, confirm and ship [(product, quantity)] on `on`."""
    for product, quantity in lines:
        inventory_services.stock_adjust(
            product=product, warehouse=warehouse, quantity=quantity, reason="入荷", user=user
        )
    return ship_order(user, customer, [LineInput(product=p, quantity=q) for p, q in lines], on)


@pytest.fixture
def sales(admin_user, warehouse, osaka, product_a, product_b, yamada, sato, inclusive):
    """The table above. Shipment #6 leaves from Osaka, everything else from Tokyo."""
    ship(admin_user, yamada, [(product_a, 10)], dt.date(2025, 1, 15), warehouse)
    second = ship(admin_user, yamada, [(product_a, 5), (product_b, 4)], dt.date(2025, 12, 20), warehouse)
    ship(admin_user, sato, [(product_a, 3)], dt.date(2026, 1, 5), warehouse)
    ship(admin_user, inclusive, [(product_a, 1)], dt.date(2026, 1, 10), warehouse)
    ship(admin_user, yamada, [(product_b, 10)], dt.date(2026, 1, 31), warehouse)
    # Tokyo is empty of A now: the last order is served from Osaka.
    ship(admin_user, sato, [(product_a, 2)], dt.date(2026, 2, 1), osaka)

    invoice = Invoice.objects.get(shipment_links__shipment=second)
    line_a = invoice.lines.get(product=product_a)
    billing_services.credit_note_issue(
        invoice=invoice,
        kind="return",
        lines=[CreditLineInput(invoice_line=line_a, quantity=2)],
        reason="破損",
        user=admin_user,
        issue_date=dt.date(2026, 1, 12),
    )
