"""Billing as a sales admin sees it: a payment short of its invoice by the bank fee, for a
customer found by kana, matched as suggested and saved; the customer's ledger then shows a
zero balance."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from backoffice.roles import Role
from billing.models import Allocation, Invoice
from orders.services import LineInput
from tests.factories import CustomerFactory, complete_company_profile, ship_order


def test_a_payment_with_a_bank_fee_shortfall_leaves_a_zero_balance(sign_in, named_user, live_server):
    complete_company_profile()
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    customer = CustomerFactory(
        code="C002", name="株式会社田中商店", name_kana="タナカシヨウテン", invoice_mode="per_shipment"
    )
    line = LineInput(quantity=1, description="作業", unit_price=Decimal(10000), tax_rate=10, unit="式")
    ship_order(admin, customer, [line], timezone.localdate() - dt.timedelta(days=10))  # 11,000
    invoice = Invoice.objects.get()

    page = sign_in(admin)
    page.goto(f"{live_server.url}/billing/payments/new/")
    page.locator(".picker-search").fill("たなか")
    expect(page.locator("#id_customer")).to_have_value(str(customer.pk))
    page.locator("#id_amount").fill("10560")
    page.locator("#id_bank_fee").fill("440")
    page.locator("#id_bank_fee").press("Tab")

    # the suggestion: the whole invoice settled, 440 of it by the bank fee
    expect(page.locator(f"#id_fee_{invoice.pk}")).to_have_value("440")
    expect(page.locator(f"#id_amount_{invoice.pk}")).to_have_value("10560")
    expect(page.locator("#allocations")).to_contain_text("¥11,000")
    page.locator("form.card button.btn-primary").click()

    page.wait_for_url(f"{live_server.url}/billing/payments/")
    expect(page.locator(".msg-success")).to_contain_text("¥10,560")
    expect(page.locator("table.data")).to_contain_text(invoice.number)
    allocation = Allocation.objects.get()
    assert (allocation.amount, allocation.bank_fee) == (10560, 440)

    page.get_by_role("link", name="C002 株式会社田中商店").click()
    expect(page.locator("h1")).to_contain_text("株式会社田中商店")
    expect(page.locator("tbody")).to_contain_text("¥11,000")
    expect(page.locator("tbody")).to_contain_text("¥440")
    expect(page.locator("[data-testid=closing-balance]")).to_have_text("¥0")
