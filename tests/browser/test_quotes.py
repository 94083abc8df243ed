"""The quote a rep asks for, end to end as the real roles see it: the rep's request → the sales
admin prices it beyond the discount limit (totals answered live) → the manager sends it back with
a comment → the admin changes it → the manager approves → the admin issues it → the PDF opens."""

import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from backoffice.formatting import percent
from backoffice.roles import Role
from orders.models import Quote
from tests.factories import CustomerFactory, ProductFactory, complete_company_profile


def sign_out(page):
    page.context.clear_cookies()


def test_a_reps_quote_request_is_priced_sent_back_approved_and_issued(sign_in, named_user, page, live_server):
    profile = complete_company_profile()
    limit = percent(profile.max_discount_rate)  # the discount a sales admin may give without approval
    rep = named_user(Role.SALES_REP, "eigyo", "鈴木", "一郎")
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    manager = named_user(Role.MANAGER, "bucho", "田中", "部長")
    CustomerFactory(
        code="C001",
        name="株式会社山田製作所",
        name_kana="ヤマダセイサクショ",
        sales_rep=rep,
        price_rate=Decimal("0.85"),
    )
    bolt = ProductFactory(
        sku="A-100", name="ステンレスボルト M8", name_kana="ステンレスボルト", unit="箱", list_price=Decimal("1980")
    )
    discount = profile.max_discount_rate + 10  # beyond the limit: a manager must approve

    # The rep asks, on one form: customer found by kana, a product by kana, a quantity.
    sign_in(rep)
    page.goto(f"{live_server.url}/quotes/new/")
    page.locator("input[name=customer__search]").fill("やまだ")
    expect(page.locator("#id_customer")).to_contain_text("株式会社山田製作所")
    page.get_by_label("件名").fill("ボルト100箱の見積")
    page.get_by_label("ご要望・備考").fill("年内納品を希望")
    page.locator("input[name=lines-0-product__search]").fill("すてんれす")
    expect(page.locator("#id_lines-0-product")).to_have_value(str(bolt.pk))
    page.locator("#id_lines-0-quantity").fill("100")
    page.get_by_role("button", name="依頼を送る").click()
    expect(page.get_by_text("見積依頼を送りました。")).to_be_visible()
    quote = Quote.objects.get()
    quote_url = f"{live_server.url}/quotes/{quote.pk}/"
    expect(page.locator("h1")).to_contain_text(f"見積依頼 #{quote.pk}")
    expect(page.locator("h1 .badge")).to_have_text("下書き")
    expect(page.locator("[data-total=total]")).to_have_text("¥185,130")  # 1,683 x 100 + 10%
    expect(page.get_by_role("button", name="発行")).to_have_count(0)
    sign_out(page)

    # The admin prices it: 掛率 and the customer price in sight, totals live as they type.
    sign_in(admin)
    page.goto(quote_url)
    page.get_by_role("link", name="価格を編集").click()
    expect(page.locator("[data-fact=price-rate]")).to_have_text("85%")
    expect(page.locator("#line-0-price")).to_contain_text("¥1,683")
    expect(page.locator("#line-0-price")).to_contain_text("定価 ¥1,980")
    page.locator("#id_lines-0-discount_rate").fill(str(discount))
    expect(page.locator("#line-0-amount")).to_have_text("¥134,640")  # 168,300 less 20%
    expect(page.locator("#quote-totals [data-total=tax]")).to_have_text("¥13,464")
    expect(page.locator("#quote-totals [data-total=total]")).to_have_text("¥148,104")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("見積を保存しました。")).to_be_visible()
    page.get_by_role("button", name="承認申請").click()
    expect(page.get_by_text("承認申請しました。マネージャーの承認待ちです。")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("承認待ち")
    expect(page.locator(".reasons")).to_have_text(f"1行目の値引率 20% が上限 {limit} を超えています。")
    sign_out(page)

    # The manager is told, and sends it back with a comment.
    sign_in(manager)
    expect(
        page.get_by_text(f"見積 #{quote.pk}「ボルト100箱の見積」（株式会社山田製作所）の承認をお願いします。")
    ).to_be_visible()
    page.goto(quote_url)
    expect(page.get_by_role("button", name="発行")).to_have_count(0)
    page.get_by_label("コメント").fill("値引きは15%まで")
    page.get_by_role("button", name="差戻し", exact=True).click()
    expect(page.get_by_text("見積を差し戻しました。")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("差戻し")
    sign_out(page)

    # The admin reads why, changes the discount and submits again (15% is still beyond the limit).
    sign_in(admin)
    expect(
        page.get_by_text(f"見積 #{quote.pk}「ボルト100箱の見積」が差し戻されました: 値引きは15%まで")
    ).to_be_visible()
    page.goto(quote_url)
    expect(page.get_by_text("マネージャーからの差戻し: 値引きは15%まで")).to_be_visible()
    page.get_by_role("link", name="価格を編集").click()
    page.locator("#id_lines-0-discount_rate").fill("15")
    expect(page.locator("#quote-totals [data-total=total]")).to_have_text("¥157,360")  # 143,055 + 14,305
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="承認申請").click()
    expect(page.locator("h1 .badge")).to_have_text("承認待ち")
    sign_out(page)

    # The manager approves.
    sign_in(manager)
    page.goto(quote_url)
    page.get_by_label("コメント").fill("今回のみ")
    page.get_by_role("button", name="承認", exact=True).click()
    expect(page.get_by_text("見積を承認しました。")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("承認済み")
    sign_out(page)

    # The admin issues it: the PDF opens.
    sign_in(admin)
    page.goto(quote_url)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(re.compile(r"/documents/\d+/pdf/?$")) as opened:
        page.get_by_role("button", name="発行").click()
    pdf = opened.value
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    # Chromium shows it in its viewer; the bytes it was sent are the archived PDF's.
    assert page.request.get(pdf.url).body()[:5] == b"%PDF-"
    page.goto(quote_url)
    expect(page.locator("h1")).to_contain_text("見積 Q-")
    expect(page.locator("h1 .badge")).to_have_text("発行済み")
    expect(page.locator("[data-total=total]")).to_have_text("¥157,360")
    expect(page.get_by_text(timezone.localdate().strftime("%Y/%m/%d")).first).to_be_visible()
    expect(page.get_by_role("link", name="PDFを開く")).to_be_visible()
