"""A sales admin takes back goods from an invoice's page: 3 of 10 boxes returned, the
適格返還請求書 issued with the amounts and tax exact, the stock back in the warehouse and the
invoice's open amount reduced."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from backoffice.roles import Role
from billing.models import CreditNote, Invoice
from inventory.models import StockLevel
from orders.services import LineInput
from tests.factories import (
    CustomerFactory,
    ProductFactory,
    WarehouseFactory,
    complete_company_profile,
    ship_order,
    stock,
)


def test_a_return_from_the_invoice_page(sign_in, named_user, live_server):
    complete_company_profile()
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    warehouse = WarehouseFactory(code="TOKYO", name="東京倉庫", is_default=True)
    product = ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱", list_price=Decimal(1000))
    customer = CustomerFactory(code="C002", name="株式会社田中商店", invoice_mode="per_shipment")
    stock(product, warehouse, 10, user=admin)
    ship_order(admin, customer, [LineInput(product=product, quantity=10)], timezone.localdate() - dt.timedelta(days=5))
    invoice = Invoice.objects.get()  # 10 × 1,000 + 10% = 11,000
    line = invoice.lines.get()

    page = sign_in(admin)
    page.goto(f"{live_server.url}/billing/invoices/{invoice.pk}/")
    page.get_by_role("link", name="返品・値引").click()
    page.get_by_label("返品", exact=True).check()
    page.locator(f"#id_quantity_{line.pk}").fill("3")
    page.locator("#id_reason").fill("破損")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="返還請求書を発行").click()

    note = CreditNote.objects.get()
    page.wait_for_url(f"{live_server.url}/billing/credit-notes/{note.pk}/")
    expect(page.locator(".msg-success")).to_contain_text(f"返品・値引 {note.number} を ¥3,300 で発行しました。")
    expect(page.get_by_test_id("credit-total")).to_have_text("¥3,300")
    expect(page.locator("main")).to_contain_text("ステンレスボルト M8")
    expect(page.locator("main")).to_contain_text("3 箱")
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    assert (note.subtotal, note.tax_total, note.total) == (Decimal(3000), Decimal(300), Decimal(3300))
    assert StockLevel.objects.get(product=product, warehouse=warehouse).on_hand == 3

    with page.expect_response(lambda r: "/documents/" in r.url) as pdf:
        page.evaluate("url => fetch(url)", page.get_by_role("link", name="PDF").get_attribute("href"))
    assert pdf.value.headers["content-type"] == "application/pdf"

    page.get_by_role("link", name=f"請求書 {invoice.number}").first.click()
    expect(page.locator("main")).to_contain_text(note.number)
    expect(page.locator("main")).to_contain_text("¥7,700")
