"""A sales admin ships part of an order as they would: from the home's tile to the shipment
list, 30 of the 50 boxes typed on the line, shipped, the 納品書 PDF opens; the order now reads
一部出荷済み and the home's counts follow."""

import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from backoffice.roles import Role
from orders import services
from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory, complete_company_profile, stock


def shipping_tile(page):
    return page.locator("#admin-queues .tile", has_text="本日の出荷")


def test_an_admin_ships_30_of_50_and_the_delivery_note_opens(sign_in, named_user, live_server):
    complete_company_profile()
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    rep = named_user(Role.SALES_REP, "eigyo", "鈴木", "一郎")
    warehouse = WarehouseFactory(code="TOKYO", name="東京倉庫", is_default=True)
    customer = CustomerFactory(code="C001", name="株式会社山田製作所", sales_rep=rep)
    bolt = ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱", list_price=Decimal("1980"))
    stock(bolt, warehouse, 100)
    order = services.order_create(
        user=admin,
        data={"customer": customer, "order_date": timezone.localdate()},
        lines=[LineInput(product=bolt, quantity=50)],
    )
    services.order_confirm(order=order, user=admin)
    order.refresh_from_db()

    page = sign_in(admin)
    page.on("dialog", lambda dialog: dialog.accept())
    expect(shipping_tile(page).locator(".n")).to_have_text("1")
    expect(shipping_tile(page)).to_contain_text("出荷準備済み 0 件・出荷可能な受注 1 件")

    shipping_tile(page).click()
    row = page.locator("#ready tr", has_text=order.number)
    expect(row).to_contain_text("株式会社山田製作所")
    expect(row).to_contain_text("1 行 50")
    row.get_by_role("link", name="出荷準備").click()

    quantity = page.get_by_label("1行目の出荷数量")
    expect(quantity).to_have_value("50")
    quantity.fill("30")
    page.get_by_role("button", name="出荷準備").click()

    expect(page.locator(".msg-success")).to_contain_text(f"受注 {order.number} の出荷準備")
    expect(page.locator("table.data tbody")).to_contain_text("30 箱")
    expect(page.locator("tfoot")).to_contain_text("¥65,340")  # 30 × 1,980 = 59,400 + 10% tax 5,940

    page.goto(f"{live_server.url}/")
    expect(shipping_tile(page).locator(".n")).to_have_text("2")
    expect(shipping_tile(page)).to_contain_text("出荷準備済み 1 件・出荷可能な受注 1 件")
    page.goto(f"{live_server.url}/shipments/")
    page.locator("#drafts").get_by_role("link", name="確認して出荷").click()

    with page.expect_response(re.compile(r"/documents/\d+/pdf$")) as opened:
        page.get_by_role("button", name="出荷して納品書を印刷").click()
    pdf = opened.value
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert re.fullmatch(r'inline; filename="DN-\d{4}-000001\.pdf"', pdf.headers["content-disposition"])
    # (Chromium shows it in its PDF viewer: the body read here is the viewer's page.)

    page.goto(f"{live_server.url}/shipments/")
    shipped = page.locator("#shipped-today tr", has_text=order.number)
    expect(shipped).to_contain_text("一部出荷済み")
    expect(shipped).to_contain_text("¥65,340")
    expect(page.locator("#ready tr", has_text=order.number)).to_contain_text("1 行 20")  # the other 20 still wait

    page.goto(f"{live_server.url}/")
    expect(shipping_tile(page).locator(".n")).to_have_text("1")
    expect(shipping_tile(page)).to_contain_text("出荷準備済み 0 件・出荷可能な受注 1 件")
