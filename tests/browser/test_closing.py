"""The month-end closing as a sales admin does it: the 末締め customers previewed, the closing
run, its invoices e-mailed in one step to each customer's billing contacts (locmem mail: To,
CC and the PDF), and the send log showing them delivered, on the run's page and the invoice's."""

import re
from decimal import Decimal

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from backoffice.businessdays import add_months, day_of_month
from backoffice.roles import Role
from billing.models import ClosingRun, Invoice
from orders.models import ContactPerson
from orders.services import LineInput
from tests.factories import CustomerFactory, complete_company_profile, ship_order


def test_month_end_closing_previewed_run_and_mailed(sign_in, named_user, live_server):
    complete_company_profile()
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    today = timezone.localdate()
    year, month = add_months(today.year, today.month, -1)
    month_end, shipped_on = day_of_month(year, month, 31), day_of_month(year, month, 10)
    yamada = CustomerFactory(code="C001", name="株式会社山田製作所", email="info@yamada.example.jp")
    ContactPerson.objects.create(
        customer=yamada, name="経理 花子", email="keiri@yamada.example.jp", receives_documents=True
    )
    tanaka = CustomerFactory(code="C002", name="株式会社田中商店", email="tanaka@tanaka.example.jp")
    CustomerFactory(code="C020", name="株式会社二十日商事", closing_day=20)
    for customer, lines in ((yamada, [(12345, 10), (6789, 8)]), (tanaka, [(50000, 10)])):
        order_lines = [
            LineInput(quantity=1, description=f"作業{i}", unit_price=Decimal(amount), tax_rate=rate, unit="式")
            for i, (amount, rate) in enumerate(lines)
        ]
        ship_order(admin, customer, order_lines, shipped_on)

    page = sign_in(admin)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of run and send
    page.goto(f"{live_server.url}/billing/closings/")
    expect(page.locator("#id_closing_date")).to_have_value(month_end.isoformat())  # last month end
    page.get_by_role("button", name="締め処理を事前確認").click()

    preview = page.locator("#closing-preview")
    expect(page.locator("h1")).to_contain_text(f"締め処理の事前確認 {month_end:%Y/%m/%d}")
    expect(preview.locator("tr[data-customer=C001]")).to_contain_text("¥20,911")
    expect(preview.locator("tr[data-customer=C001]")).to_contain_text("8%※ ¥6,789")
    expect(preview.locator("tr[data-customer=C002]")).to_contain_text("¥55,000")
    expect(preview.locator("tfoot")).to_contain_text("¥75,911")
    expect(preview).not_to_contain_text("二十日商事")
    page.get_by_role("button", name="締め処理を実行").click()

    page.wait_for_url(re.compile(r"/billing/closings/\d+/$"))
    expect(page.locator(".msg-success")).to_contain_text("請求書を 2 件作成しました。")
    run = ClosingRun.objects.get(closing_date=month_end)
    first, second = Invoice.objects.filter(closing_run=run).order_by("customer__code")
    expect(page.locator("#run-invoices")).to_contain_text(first.number)
    page.locator("#send-all").click()

    expect(page.locator("#send-report")).to_contain_text("請求書 2 件をメールで送信しました。")
    rows = page.locator("#run-invoices tbody tr")
    expect(rows.nth(0)).to_contain_text("送信済み keiri@yamada.example.jp / CC info@yamada.example.jp")
    expect(rows.nth(1)).to_contain_text("送信済み tanaka@tanaka.example.jp")
    assert [(m.to, m.cc) for m in mail.outbox] == [
        (["keiri@yamada.example.jp"], ["info@yamada.example.jp"]),
        (["tanaka@tanaka.example.jp"], []),
    ]
    assert [[(name, mimetype) for name, _content, mimetype in m.attachments] for m in mail.outbox] == [
        [(f"{first.number}.pdf", "application/pdf")],
        [(f"{second.number}.pdf", "application/pdf")],
    ]
    assert all(m.attachments[0][1].startswith(b"%PDF") for m in mail.outbox)

    page.get_by_role("link", name=first.number).click()
    expect(page.locator("h1")).to_contain_text(first.number)
    log = page.locator("#send-log")
    expect(log).to_contain_text("メール送信履歴")
    expect(log.locator("tbody tr")).to_have_count(1)
    expect(log.locator("tbody tr")).to_contain_text("送信済み")
    expect(log.locator("tbody tr")).to_contain_text("keiri@yamada.example.jp")
    expect(log.locator("tbody tr")).to_contain_text("佐藤 花子")
