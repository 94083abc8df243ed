"""An inquiry handed to the rep, who turns it into a quote request on a phone (issue #14): the
sales admin logs a call for a customer found by hiragana kana, the hand-off goes to the
customer's rep by default; the rep, on a 390x844 screen, sees the notification on their home,
opens the inquiry and requests a quote for 100 boxes."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from backoffice.roles import Role
from orders.models import Inquiry, Quote
from tests.factories import CustomerFactory, ProductFactory


def test_an_inquiry_handed_to_the_rep_becomes_a_quote_request_on_a_phone(sign_in, named_user, page, live_server):
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    rep = named_user(Role.SALES_REP, "eigyo", "鈴木", "一郎")
    CustomerFactory(code="C0101", name="山田製作所", name_kana="ヤマダセイサクショ", sales_rep=rep)
    CustomerFactory(code="C0200", name="田中商店", name_kana="タナカショウテン")
    ProductFactory(
        sku="A-100", name="ステンレスボルト M8", name_kana="ステンレスボルト", unit="箱", list_price=Decimal("1200")
    )

    # The sales admin logs the call: the customer found by kana typed in hiragana.
    sign_in(admin)
    page.goto(f"{live_server.url}/inquiries/new/")
    page.locator('input[name="customer__search"]').fill("やまだ")
    expect(page.locator("#id_customer")).to_have_text("C0101 山田製作所")
    expect(page.locator("#id_assigned_to option:checked")).to_have_text("鈴木 一郎")  # the customer's rep
    page.get_by_label("件名").fill("ステンレスボルトの見積")
    page.get_by_label("内容").fill("100箱、12月中旬までに欲しい")
    page.get_by_role("button", name="登録して引き継ぐ").click()

    expect(page.locator(".msg-success")).to_have_text("問い合わせを登録し、鈴木 一郎さんに引き継ぎました。")
    expect(page.locator("h1")).to_contain_text("ステンレスボルトの見積")
    expect(page.locator("h1 .badge")).to_have_text("担当者へ引継済み")
    page.get_by_role("button", name="ログアウト").click()

    # The rep, on a phone, finds it waiting on their home.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(rep)
    note = page.locator("#notifications").get_by_role(
        "button", name="問い合わせが引き継がれました: ステンレスボルトの見積（山田製作所）"
    )
    expect(note).to_be_visible()
    expect(page.locator(".bell .count")).to_have_text("1")
    note.click()

    inquiry = Inquiry.objects.get()
    expect(page).to_have_url(f"{live_server.url}/inquiries/{inquiry.pk}/")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("C0101 山田製作所")
    expect(facts).to_contain_text("佐藤 花子")
    expect(page.get_by_text("100箱、12月中旬までに欲しい")).to_be_visible()

    # One step: the quote request right on the inquiry's page.
    form = page.locator("#quote-request")
    form.scroll_into_view_if_needed()
    form.locator('input[name="lines-0-product__search"]').fill("すてんれす")
    expect(form.locator("#id_lines-0-product")).to_have_text("A-100 ステンレスボルト M8")
    form.locator("#id_lines-0-quantity").fill("100")
    form.get_by_label("納期").fill("12月中旬")
    form.get_by_role("button", name="見積を依頼").click()

    quote = Quote.objects.get()
    expect(page.locator(".msg-success")).to_have_text(f"見積依頼 #{quote.pk} を作成しました。")
    # The quote's own page (another area's screen) when it is there, else back on the inquiry.
    expect(page).to_have_url(re.compile(rf"/(quotes/{quote.pk}|inquiries/{inquiry.pk})/$"))
    assert (quote.customer.code, quote.subject, quote.requested_by, quote.desired_delivery) == (
        "C0101",
        "ステンレスボルトの見積",
        rep,
        "12月中旬",
    )
    line = quote.lines.get()
    assert (line.description, line.quantity, line.unit, line.amount) == (
        "ステンレスボルト M8",
        100,
        "箱",
        Decimal("120000"),
    )
    if f"/inquiries/{inquiry.pk}/" in page.url:
        expect(page.locator("dl.facts")).to_contain_text(f"見積依頼 #{quote.pk} 下書き")
