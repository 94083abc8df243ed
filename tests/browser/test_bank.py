"""A sales admin imports a bank statement: a transfer under a learned payer name is matched
at once, one short of its invoice by the bank fee too; a first transfer found by the
customer's kana is confirmed on the review page; the customers' ledgers then show zero."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from backoffice.roles import Role
from billing.models import Invoice, PayerName, Payment
from orders.services import LineInput
from tests.factories import CustomerFactory, complete_company_profile, ship_order


def _invoiced(admin, code, name, kana, amount):
    customer = CustomerFactory(code=code, name=name, name_kana=kana, invoice_mode="per_shipment")
    line = LineInput(quantity=1, description="作業", unit_price=Decimal(amount), tax_rate=10, unit="式")
    ship_order(admin, customer, [line], timezone.localdate() - dt.timedelta(days=10))
    return customer, Invoice.objects.get(customer=customer)


def test_a_bank_statement_matched_confirmed_and_settled(sign_in, named_user, live_server):
    complete_company_profile()
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    tanaka, tanaka_invoice = _invoiced(admin, "C002", "株式会社田中商店", "タナカシヨウテン", 10000)  # 11,000
    suzuki, suzuki_invoice = _invoiced(admin, "C004", "鈴木物産株式会社", "スズキブツサン", 5000)  # 5,500
    yamada, yamada_invoice = _invoiced(admin, "C001", "株式会社山田製作所", "ヤマダセイサクシヨ", 20000)  # 22,000
    PayerName.objects.create(customer=tanaka, name="タナカシヨウテン")
    PayerName.objects.create(customer=suzuki, name="スズキブツサン")
    day = f"{timezone.localdate():%Y-%m-%d}"
    csv = f"日付,金額,振込依頼人名\n{day},11000,ﾀﾅｶｼﾖｳﾃﾝ\n{day},5060,ｽｽﾞｷﾌﾞﾂｻﾝ\n{day},22000,ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ\n"

    page = sign_in(admin)
    page.locator("nav .nav-group[data-section=billing] summary").click()
    page.get_by_role("link", name="入金明細").first.click()
    page.locator("#id_file").set_input_files(
        files=[{"name": "202612.csv", "mimeType": "text/csv", "buffer": csv.encode("cp932")}]
    )
    page.get_by_role("button", name="取込").click()

    expect(page.locator(".msg-success")).to_contain_text("入金明細 202612.csv を取り込みました。")
    automatic = page.locator("#line-2")
    expect(automatic).to_contain_text("自動消込")
    expect(automatic).to_contain_text(tanaka_invoice.number)
    shortfall = page.locator("#line-3")
    expect(shortfall).to_contain_text("自動消込")
    expect(shortfall).to_contain_text("¥5,060")
    expect(shortfall.locator("td").nth(7)).to_have_text("¥440")
    first = page.locator("#line-4")
    expect(first).to_contain_text("初回カナ一致（要確認）")
    expect(first).to_contain_text("C001 株式会社山田製作所")
    expect(first).to_contain_text(yamada_invoice.number)
    expect(page.get_by_test_id("waiting-count")).to_have_text("1")

    first.get_by_role("button", name="確定").click()

    expect(page.locator(".msg-success")).to_contain_text("株式会社山田製作所 の入金として登録しました。")
    expect(page.locator("#line-4")).to_contain_text("確定済")
    expect(page.get_by_test_id("waiting-count")).to_have_text("0")
    assert PayerName.objects.get(customer=yamada).name == "カ)ヤマダセイサクシヨ"
    assert Payment.objects.count() == 3
    suzuki_payment = Payment.objects.get(customer=suzuki)
    assert (suzuki_payment.amount, suzuki_payment.bank_fee) == (Decimal(5060), Decimal(440))

    page.locator("#line-3").get_by_role("link", name="C004 鈴木物産株式会社").click()
    expect(page.locator("h1")).to_contain_text("鈴木物産株式会社")
    expect(page.locator("tbody")).to_contain_text("¥5,060")
    expect(page.locator("tbody")).to_contain_text("¥440")
    expect(page.get_by_test_id("closing-balance")).to_have_text("¥0")
    page.goto(f"{live_server.url}/billing/customers/{yamada.pk}/ledger/")
    expect(page.get_by_test_id("closing-balance")).to_have_text("¥0")


def test_a_transfer_from_an_unknown_payer_is_given_its_customer_found_by_kana(sign_in, named_user, live_server):
    complete_company_profile()
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    sato, sato_invoice = _invoiced(admin, "C003", "株式会社佐藤工業", "サトウコウギヨウ", 5000)  # 5,500
    _invoiced(admin, "C005", "株式会社北斗精機", "ホクトセイキ", 8000)
    csv = f"日付,金額,振込依頼人名\n{timezone.localdate():%Y-%m-%d},5500,ｻﾄｳﾀﾛｳ\n"

    page = sign_in(admin)
    page.goto(f"{live_server.url}/billing/bank/")
    page.locator("#id_file").set_input_files(
        files=[{"name": "sato.csv", "mimeType": "text/csv", "buffer": csv.encode("cp932")}]
    )
    page.get_by_role("button", name="取込").click()
    expect(page.locator("#line-2")).to_contain_text("未照合")
    page.locator("#line-2").get_by_role("link", name="得意先を選択").click()

    # the customer picked by kana brings its open invoices; no fee asked when nothing is short
    page.locator(".picker-search").fill("さとう")
    expect(page.locator("#id_customer")).to_have_value(str(sato.pk))
    expect(page.locator("#id_invoice")).to_contain_text(sato_invoice.number)
    expect(page.locator("#id_bank_fee")).to_have_value("")
    page.locator("#id_invoice").select_option(str(sato_invoice.pk))
    page.locator("#confirm-form button.btn-primary").click()

    expect(page.locator(".msg-success")).to_contain_text("株式会社佐藤工業 の入金として登録しました。")
    expect(page.locator("#line-2")).to_contain_text("確定済")
    assert PayerName.objects.get(customer=sato).name == "サトウタロウ"
    sato_invoice.refresh_from_db()
    assert sato_invoice.status == "paid"
