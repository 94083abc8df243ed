"""A sales admin buys what a backorder waits for, as they would: the reorder suggestions show
the bolt with its arithmetic, ticked and ordered as a draft; the draft is issued (its 発注書
PDF opens); 6 of the 100 boxes arrive; the purchase order then says which order's backorder
that receipt served, and how much of it still waits."""

import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from backoffice.roles import Role
from orders import services
from orders.services import LineInput
from tests.factories import (
    CustomerFactory,
    ProductFactory,
    SupplierFactory,
    WarehouseFactory,
    complete_company_profile,
)


def test_suggestion_to_purchase_order_to_partial_receipt_serving_the_backorder(sign_in, named_user, live_server):
    complete_company_profile()
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    WarehouseFactory(code="TOKYO", name="東京倉庫", is_default=True, address="東京都江東区豊洲3-2-1")
    supplier = SupplierFactory(code="S001", name="東都工業株式会社", address="東京都千代田区内神田2-15-9")
    bolt = ProductFactory(
        sku="A-100",
        name="ステンレスボルト M8",
        unit="箱",
        list_price=Decimal("1980"),
        cost=Decimal("1200"),
        reorder_point=50,
        reorder_quantity=100,
        supplier=supplier,
    )
    customer = CustomerFactory(code="C001", name="株式会社山田製作所")
    order = services.order_create(
        user=admin,
        data={"customer": customer, "order_date": timezone.localdate()},
        lines=[LineInput(product=bolt, quantity=10)],
    )
    services.order_confirm(order=order, user=admin)  # nothing in stock: all 10 backordered
    order.refresh_from_db()
    label = f"受注 {order.number} の 1 行目"

    page = sign_in(admin)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/purchasing/suggestions/")
    row = page.locator("tr", has_text="A-100")
    expect(row).to_contain_text("引当可能 0 ＋ 入荷予定 0 − 入荷待ち 10 ＝ -10（発注点 50 未満）")
    expect(row).to_contain_text("100 箱")
    row.get_by_label("A-100 を発注する").check()
    expect(row.get_by_label("A-100 の数量")).to_have_value("100")
    page.get_by_role("button", name="発注の下書きを作成").click()

    expect(page.locator(".msg-success")).to_contain_text("発注の下書きを 1 件作成しました。")
    expect(page.locator("h1")).to_contain_text("下書き")
    page.get_by_role("button", name="発注書を発行").click()

    expect(page.locator(".msg-success")).to_contain_text("発注 PO-")
    expect(page.locator("h1")).to_contain_text("発行済み")
    with page.expect_response(re.compile(r"/documents/\d+/pdf$")) as opened:
        page.get_by_role("link", name="発注書 PDF").click()
    pdf = opened.value
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    page.go_back()

    page.get_by_role("link", name="入荷を記録").click()
    arrived = page.get_by_label("A-100 の入荷数")
    expect(arrived).to_have_value("100")
    arrived.fill("6")
    page.get_by_role("button", name="入荷を記録する").click()

    expect(page.locator(".msg-success")).to_contain_text(f"6 入荷しました。入荷待ちに引き当てました：{label} (6)。")
    expect(page.locator("h1")).to_contain_text("一部入荷")
    served = page.locator("#receipts table.served tbody tr")
    expect(served).to_have_count(1)
    expect(served).to_contain_text(label)
    expect(served.locator("td").nth(1)).to_have_text("6")
    expect(served.locator("td").nth(2)).to_have_text("4")
