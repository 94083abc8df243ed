"""Reports as a manager uses them: from the dashboard's target row to the orders behind the
rep's figure, first as the sales lines with their orders, then in the order list."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from backoffice.roles import Role
from orders.services import LineInput
from reports.models import SalesTarget
from tests.factories import CustomerFactory, complete_company_profile, ship_order


def _ship(user, customer, amount: int, on: dt.date) -> str:
    """One free-text line of `amount` yen (10%) ordered and shipped on `on`: the order number."""
    line = LineInput(quantity=1, description="保守作業", unit_price=Decimal(amount), tax_rate=10, unit="式")
    return ship_order(user, customer, [line], on).order.number


def test_a_manager_moves_from_the_target_row_to_the_orders_behind_it(sign_in, named_user, live_server):
    complete_company_profile()
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    manager = named_user(Role.MANAGER, "bucho", "部長", "三郎")
    tanaka = named_user(Role.SALES_REP, "tanaka", "田中", "一郎")
    suzuki = named_user(Role.SALES_REP, "suzuki", "鈴木", "次郎")
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    mine = CustomerFactory(code="C101", name="株式会社青木商事", sales_rep=tanaka, invoice_mode="per_shipment")
    theirs = CustomerFactory(code="C102", name="株式会社北川工業", sales_rep=suzuki, invoice_mode="per_shipment")
    first = _ship(admin, mine, 30000, first_of_month)
    second = _ship(admin, mine, 50000, today)
    other_rep = _ship(admin, theirs, 70000, today)
    last_month = _ship(admin, mine, 90000, first_of_month - dt.timedelta(days=1))
    SalesTarget.objects.create(rep=tanaka, month=first_of_month, amount=Decimal(100000))

    page = sign_in(manager)
    page.locator("nav summary", has_text="レポート").click()
    page.get_by_role("link", name="売上ダッシュボード").click()
    expect(page.locator("h1")).to_contain_text("売上ダッシュボード")
    row = page.locator("table.targets tbody tr", has_text="田中 一郎")
    expect(row).to_contain_text("¥100,000")
    expect(row).to_contain_text("¥80,000")
    expect(row).to_contain_text("80%")

    row.get_by_role("link", name="¥80,000").click()
    expect(page.locator("h1")).to_contain_text("売上明細")
    lines = page.locator("table.sales-lines tbody")
    expect(lines.locator("tr")).to_have_count(2)
    expect(lines).to_contain_text(first)
    expect(lines).to_contain_text(second)
    expect(lines).not_to_contain_text(other_rep)
    expect(lines).not_to_contain_text(last_month)
    expect(page.locator("table.sales-lines tfoot")).to_contain_text("¥80,000")

    page.get_by_role("link", name="受注一覧でこの受注を見る").click()
    expect(page.locator("h1")).to_have_text("受注")
    orders = page.locator("table.order-list tbody")
    expect(orders.locator("tr")).to_have_count(2)
    expect(orders).to_contain_text(first)
    expect(orders).to_contain_text(second)
    expect(page.locator(".drill-down")).to_contain_text("田中 一郎")

    orders.get_by_role("link", name=second).click()
    expect(page.locator("h1")).to_contain_text(second)
