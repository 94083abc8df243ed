"""The issue's phone order, as the sales admin takes it: a customer found by hiragana kana,
three lines typed by SKU, the stock answer and the totals seen before confirming, and the
order confirmed by keyboard alone (no mouse after signing in). The keys pressed are
counted: the figure the issue asks for."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backoffice.roles import Role
from orders.models import Order
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory, stock
from tests.orders.conftest import open_purchase_order


class CountedKeyboard:
    """page.keyboard, counting what the person presses: each key (Enter, Tab) is one, each
    character typed is one (kana typed through an IME take more; counted as the letters)."""

    def __init__(self, keyboard):
        self.keyboard = keyboard
        self.presses = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.keyboard.press(key)
            self.presses += 1

    def type(self, text: str) -> None:
        self.keyboard.type(text)
        self.presses += len(text)


@pytest.fixture
def shop(company, warehouse):
    """Today's stock: A-100 30 on hand and 40 due in a week; F-404 and A-101 plenty."""
    due = timezone.localdate() + dt.timedelta(days=7)
    bolts = ProductFactory(
        sku="A-100", name="ステンレスボルト M8", unit="箱", list_price=Decimal("1980"), supplier=SupplierFactory()
    )
    stock(bolts, warehouse, 30)
    open_purchase_order(bolts, 40, due)
    cookies = ProductFactory(
        sku="F-404", name="個包装クッキー", unit="箱", list_price=Decimal("1850"), tax_category="reduced"
    )
    stock(cookies, warehouse, 100)
    nuts = ProductFactory(sku="A-101", name="ステンレスナット M8", unit="箱", list_price=Decimal("980"))
    stock(nuts, warehouse, 100)
    CustomerFactory(code="C002", name="株式会社田中商店", name_kana="タナカショウテン")
    CustomerFactory(code="C001", name="株式会社山田製作所", name_kana="ヤマダセイサクショ")
    return due


def test_a_three_line_phone_order_by_keyboard_alone(sign_in, named_user, live_server, shop):
    due = shop
    page = sign_in(named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子"))
    keys = CountedKeyboard(page.keyboard)

    # The entry opens (from the menu's 受注入力; opened here by its address) with the focus
    # in the customer's search box.
    page.goto(f"{live_server.url}/orders/new/")
    expect(page.locator("input[name=customer__search]")).to_be_focused()

    # The customer, by hiragana; the ship-to choices follow.
    keys.type("やまだ")
    expect(page.locator("#id_customer")).to_contain_text("C001 株式会社山田製作所")
    keys.press("Enter")  # to the customer select (the match chosen)
    keys.press("Enter")  # to the ship-to
    keys.press("Enter")  # to the customer PO number
    keys.type("PO-5521")
    keys.press("Enter")  # to the requested date (left empty)
    keys.press("Enter")  # to the note (left empty)
    keys.press("Enter")  # to line 1

    lines = [("A-100", "50"), ("F-404", "10"), ("A-101", "20")]
    stock_cells = page.locator("#entry-lines .stock-answer")
    for index, (sku, quantity) in enumerate(lines):
        keys.type(sku)
        expect(page.locator(f"#id_lines-{index}-product")).to_contain_text(sku)
        keys.press("Enter")  # to the product select
        keys.press("Enter")  # to the quantity
        keys.type(quantity)
        expect(stock_cells.nth(index)).not_to_be_empty()
        keys.press("Enter")  # to the next line (a new one appeared after the last)

    # Before confirming, the answer to give and the totals are on the screen.
    answer = f"A-100 ステンレスボルト M8: 30 箱 即日出荷、残り 20 箱は {due:%m/%d} 出荷予定"
    expect(stock_cells.nth(0)).to_have_text(answer)
    expect(stock_cells.nth(1)).to_have_text("F-404 個包装クッキー: 10 箱 全数即日出荷")
    expect(stock_cells.nth(2)).to_have_text("A-101 ステンレスナット M8: 20 箱 全数即日出荷")
    expect(page.locator("#entry-total")).to_have_text("¥150,440")  # 137,100 + tax 11,860 (10%) + 1,480 (8%)
    expect(page.locator("#entry-tax")).to_have_text("¥13,340")
    expect(page.locator("#entry-lines tr")).to_have_count(4)  # a blank line waits at the end

    # Past the blank line to the confirm button, and press it.
    keys.press("Enter")  # blank line: to its product select
    keys.press("Enter")  # to its quantity
    keys.press("Enter")  # to the confirm button
    expect(page.locator("button[value=confirm]")).to_be_focused()
    keys.press("Enter")

    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    expect(page.locator("#confirm-answer li")).to_have_text(
        [answer, "F-404 個包装クッキー: 10 箱 全数即日出荷", "A-101 ステンレスナット M8: 20 箱 全数即日出荷"]
    )
    expect(page.locator("h1 .badge")).to_have_text("受注確定")
    expect(page.locator("#order-total")).to_have_text("¥150,440")
    order = Order.objects.get()
    assert (order.status, order.customer_po_number, order.customer.code) == ("confirmed", "PO-5521", "C001")
    print(f"\nkeys pressed for the 3-line phone order, from the entry page opening: {keys.presses}, mouse clicks: 0")
    assert keys.presses <= 50
