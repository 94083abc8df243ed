"""The quote screens on the server: a rep's request, the admin's pricing with live totals per
tax rate, submit / approve / send back / issue / revise / accept / convert, each offered only to
the role that may take it, bad input kept next to its field, and bounded queries."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from backoffice.models import Notification
from backoffice.roles import Role
from orders import services
from orders.models import Order, Quote, QuoteLine
from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, make_user
from tests.web.pages import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return dt.date(2026, 11, 20)


@pytest.fixture
def rep(db):
    return make_user(Role.SALES_REP, username="rep1", last_name="鈴木", first_name="一郎")


@pytest.fixture
def jimu(db):
    return make_user(Role.SALES_ADMIN, username="jimu", last_name="佐藤", first_name="花子")


@pytest.fixture
def boss(db):
    return make_user(Role.MANAGER, username="boss", last_name="田中", first_name="部長")


@pytest.fixture
def yamada(rep):
    return CustomerFactory(
        code="C001",
        name="株式会社山田製作所",
        name_kana="ヤマダセイサクショ",
        sales_rep=rep,
        price_rate=Decimal("0.85"),
    )


@pytest.fixture
def bolt(db):
    return ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱", list_price=Decimal("1980"))


@pytest.fixture
def water(db):
    return ProductFactory(
        sku="F-400", name="ミネラルウォーター", unit="ケース", list_price=Decimal("1680"), tax_category="reduced"
    )


def text_of(response) -> str:
    return response.content.decode()


def management(prefix="lines", total=3) -> dict:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}


def requested(rep, yamada, bolt, water, **lines) -> Quote:
    return services.quote_create(
        user=rep,
        data={"customer": yamada, "subject": "ボルトと水の見積"},
        lines=[LineInput(product=bolt, quantity=10), LineInput(product=water, quantity=5)],
    )


def pending(rep, jimu, yamada, bolt, water) -> Quote:
    """A rep's request priced with a 20% discount (the limit is 10%) and submitted."""
    quote = requested(rep, yamada, bolt, water)
    services.quote_update(
        quote=quote,
        user=jimu,
        data={},
        lines=[LineInput(product=bolt, quantity=10, discount_rate=Decimal("20")), LineInput(product=water, quantity=5)],
    )
    return services.quote_submit(quote=quote, user=jimu)


# --- the rep's request ------------------------------------------------------------------------


def test_a_rep_requests_a_quote_in_one_form(rep, yamada, bolt, water, company):
    client = client_for(rep)
    response = client.post(
        "/quotes/new/",
        {
            "customer": yamada.pk,
            "subject": "ボルトと水の見積",
            "desired_delivery": "12月上旬",
            "note": "100箱以上なら値引きを希望",
            **management(),
            "lines-0-product": bolt.pk,
            "lines-0-quantity": "10",
            "lines-1-product": water.pk,
            "lines-1-quantity": "5",
        },
    )

    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/quotes/{quote.pk}/"
    assert (quote.customer, quote.requested_by, quote.status) == (yamada, rep, Quote.Status.DRAFT)
    assert quote.note == "100箱以上なら値引きを希望"
    assert [(line.product, line.quantity, line.unit_price) for line in quote.lines.all()] == [
        (bolt, 10, Decimal("1683")),  # 1,980 x 掛率 0.85
        (water, 5, Decimal("1428")),
    ]
    page = text_of(client.get(response["Location"]))
    assert "見積依頼を送りました。" in page
    assert "¥26,224" in page  # 16,830 + 7,140, tax 1,683 (10%) + 571 (8%)


def test_the_request_form_opens_with_the_customer_of_the_link(rep, yamada):
    page = text_of(client_for(rep).get(f"/quotes/new/?customer={yamada.pk}"))

    assert f'<option value="{yamada.pk}" selected>C001 株式会社山田製作所</option>' in page


def test_quantity_zero_is_answered_next_to_the_field_and_nothing_is_written(rep, yamada, bolt):
    response = client_for(rep).post(
        "/quotes/new/",
        {
            "customer": yamada.pk,
            "subject": "ボルトの見積",
            **management(),
            "lines-0-product": bolt.pk,
            "lines-0-quantity": "0",
        },
    )

    assert response.status_code == 200
    page = text_of(response)
    assert re.search(
        r'id="id_lines-0-quantity"[^>]*>\s*<p class="error"[^>]*>この値は 1 以上でなければなりません。', page
    )
    assert 'value="ボルトの見積"' in page  # what was typed stays
    assert f'<option value="{bolt.pk}" selected>A-100 ステンレスボルト M8</option>' in page
    assert not Quote.objects.exists()


def test_a_request_without_lines_says_so(rep, yamada):
    response = client_for(rep).post("/quotes/new/", {"customer": yamada.pk, "subject": "見積", **management()})

    assert response.status_code == 200
    assert "明細を1行以上入力してください。" in text_of(response)
    assert not Quote.objects.exists()


def test_a_manager_does_not_request_quotes(boss):
    response = client_for(boss).get("/quotes/new/")

    assert response.status_code == 403
    assert "この画面を開く権限がありません。" in text_of(response)


def test_the_add_a_line_button_brings_the_next_row_and_count(rep):
    page = text_of(client_for(rep).get("/quotes/lines/add/?lines-TOTAL_FORMS=3"))

    assert 'name="lines-3-quantity"' in page
    assert 'name="lines-TOTAL_FORMS" value="4"' in page and 'hx-swap-oob="true"' in page


# --- who sees what ----------------------------------------------------------------------------


def test_a_rep_is_never_offered_approve_or_issue(rep, jimu, boss, yamada, bolt, water, company):
    quote = pending(rep, jimu, yamada, bolt, water)

    rep_page = text_of(client_for(rep).get(f"/quotes/{quote.pk}/"))
    boss_page = text_of(client_for(boss).get(f"/quotes/{quote.pk}/"))
    admin_page = text_of(client_for(jimu).get(f"/quotes/{quote.pk}/"))

    for page in (rep_page, boss_page, admin_page):
        assert "承認待ち" in page and "1行目の値引率 20% が上限 10% を超えています。" in page
    assert "承認</button>" not in rep_page and "差戻し</button>" not in rep_page and "発行</button>" not in rep_page
    assert "価格を編集" not in rep_page
    assert "承認</button>" in boss_page and "差戻し</button>" in boss_page and "価格を編集" not in boss_page
    assert "承認</button>" not in admin_page and "価格を編集" in admin_page

    services.quote_approve(quote=quote, user=boss)
    assert "発行</button>" in text_of(client_for(jimu).get(f"/quotes/{quote.pk}/"))
    assert "発行</button>" not in text_of(client_for(rep).get(f"/quotes/{quote.pk}/"))
    assert "発行</button>" not in text_of(client_for(boss).get(f"/quotes/{quote.pk}/"))


def test_a_rep_posting_approve_gets_the_japanese_403_page(rep, jimu, yamada, bolt, water, company):
    quote = pending(rep, jimu, yamada, bolt, water)

    response = client_for(rep).post(f"/quotes/{quote.pk}/approve/", {"comment": "ok"})

    assert response.status_code == 403
    assert "権限がありません" in text_of(response)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING_APPROVAL


@pytest.mark.parametrize("url", ["/quotes/{pk}/", "/quotes/{pk}/submit/"])
def test_another_reps_customer_is_a_404(rep, yamada, bolt, water, url):
    quote = requested(rep, yamada, bolt, water)
    other = make_user(Role.SALES_REP, username="rep2")

    client = client_for(other)
    response = client.post(url.format(pk=quote.pk)) if "submit" in url else client.get(url.format(pk=quote.pk))

    assert response.status_code == 404
    assert "このページは存在しないか、表示する権限がありません。" in text_of(response)


def test_the_list_shows_a_rep_only_their_customers_quotes(rep, jimu, yamada, bolt, water):
    mine = requested(rep, yamada, bolt, water)
    other = make_user(Role.SALES_REP, username="rep2")
    tanaka = CustomerFactory(code="C002", name="田中商店", name_kana="タナカショウテン", sales_rep=other)
    theirs = services.quote_create(
        user=other, data={"customer": tanaka, "subject": "田中さんの見積"}, lines=[LineInput(product=bolt, quantity=1)]
    )

    rep_page = text_of(client_for(rep).get("/quotes/"))
    admin_page = text_of(client_for(jimu).get("/quotes/"))

    assert f"見積依頼 #{mine.pk}" in rep_page and "¥26,224" in rep_page and "鈴木 一郎" in rep_page
    assert "田中さんの見積" not in rep_page
    assert "田中さんの見積" in admin_page and f"/quotes/{theirs.pk}/" in admin_page


def test_the_list_filters_by_status_customer_kana_and_mine(rep, jimu, boss, yamada, bolt, water, company):
    waiting = pending(rep, jimu, yamada, bolt, water)
    draft = services.quote_create(
        user=jimu, data={"customer": yamada, "subject": "事務の下書き"}, lines=[LineInput(product=bolt, quantity=1)]
    )
    CustomerFactory(code="C002", name="田中商店", name_kana="タナカショウテン")
    client = client_for(jimu)

    by_status = text_of(client.get("/quotes/?status=pending_approval"))
    by_kana = text_of(client.get("/quotes/?q=やまだ"))
    mine = text_of(client_for(rep).get("/quotes/?mine=on"))

    assert f"/quotes/{waiting.pk}/" in by_status and f"/quotes/{draft.pk}/" not in by_status
    assert f"/quotes/{waiting.pk}/" in by_kana and f"/quotes/{draft.pk}/" in by_kana
    assert f"/quotes/{waiting.pk}/" in mine and f"/quotes/{draft.pk}/" not in mine
    assert "該当する見積はありません。" in text_of(client.get("/quotes/?q=たなか"))


def test_the_list_costs_a_bounded_number_of_queries(rep, yamada, bolt, water, django_assert_max_num_queries):
    for _ in range(30):
        requested(rep, yamada, bolt, water)
    client = client_for(rep)

    with django_assert_max_num_queries(8):
        response = client.get("/quotes/?page=2")

    assert response.status_code == 200
    assert "2 / 2 ページ" in text_of(response)


def test_the_quote_page_costs_a_bounded_number_of_queries(
    rep, jimu, boss, yamada, bolt, water, company, django_assert_max_num_queries
):
    quote = pending(rep, jimu, yamada, bolt, water)
    services.quote_reject(quote=quote, user=boss, comment="値引きは15%まで")
    client = client_for(boss)

    with django_assert_max_num_queries(14):
        response = client.get(f"/quotes/{quote.pk}/")

    assert response.status_code == 200
    assert "値引きは15%まで" in text_of(response)


# --- pricing ----------------------------------------------------------------------------------


def edit_post(quote, **lines) -> dict:
    return {
        "subject": quote.subject,
        "desired_delivery": "",
        "delivery_place": "本社倉庫",
        "payment_terms": "月末締め翌月末払い",
        "validity_days": "30",
        "note": "",
        **management(total=3),
        **lines,
    }


def test_the_admin_sees_the_customer_price_and_rate_and_the_totals_per_rate(rep, jimu, yamada, bolt, water, company):
    quote = requested(rep, yamada, bolt, water)

    page = text_of(client_for(jimu).get(f"/quotes/{quote.pk}/edit/"))

    assert 'data-fact="price-rate">85%<' in page
    assert "¥1,683" in page and "定価 ¥1,980" in page
    assert "¥16,830" in page and "¥7,140" in page  # line amounts
    assert "8% ※軽減税率" in page and "¥571" in page and "¥26,224" in page
    assert "10%" in page and "¥5,000,000" in page  # the limits that call for approval


def test_the_live_totals_answer_as_the_admin_types(rep, jimu, yamada, bolt, water, company):
    quote = requested(rep, yamada, bolt, water)

    response = client_for(jimu).post(
        f"/quotes/{quote.pk}/totals/",
        edit_post(
            quote,
            **{
                "lines-0-product": bolt.pk,
                "lines-0-quantity": "10",
                "lines-0-discount_rate": "20",
                "lines-1-product": water.pk,
                "lines-1-quantity": "5",
                "lines-1-unit_price": "1500",
                "lines-2-quantity": "",  # a row not typed yet
            },
        ),
        HTTP_HX_REQUEST="true",
    )

    page = text_of(response)
    assert response.status_code == 200
    # 1,683 x 10 x 0.8 = 13,464 (tax 1,346); 1,500 x 5 = 7,500 (tax 600): 22,910
    assert re.search(r'id="line-0-amount" hx-swap-oob="true">¥13,464<', page)
    assert re.search(r'id="line-1-amount" hx-swap-oob="true">¥7,500<', page)
    assert re.search(r'id="line-2-amount" hx-swap-oob="true">—<', page)
    assert 'data-total="total">¥22,910<' in page
    assert "¥1,346" in page and "¥600" in page
    quote.refresh_from_db()
    assert quote.total == Decimal("26224")  # nothing saved while typing


def test_the_admin_saves_prices_and_a_discount(rep, jimu, yamada, bolt, water, company):
    quote = requested(rep, yamada, bolt, water)

    response = client_for(jimu).post(
        f"/quotes/{quote.pk}/edit/",
        edit_post(
            quote,
            **{
                "lines-0-product": bolt.pk,
                "lines-0-quantity": "10",
                "lines-0-discount_rate": "20",
                "lines-1-product": water.pk,
                "lines-1-quantity": "5",
                "lines-1-unit_price": "1500",
            },
        ),
    )

    assert response.status_code == 302 and response["Location"] == f"/quotes/{quote.pk}/"
    quote.refresh_from_db()
    assert (quote.total, quote.delivery_place) == (Decimal("22910"), "本社倉庫")
    assert list(quote.lines.values_list("unit_price", "discount_rate", "amount")) == [
        (Decimal("1683"), Decimal("20"), Decimal("13464")),
        (Decimal("1500"), Decimal("0"), Decimal("7500")),
    ]


def test_a_bad_discount_is_kept_next_to_its_field(rep, jimu, yamada, bolt, water, company):
    quote = requested(rep, yamada, bolt, water)

    response = client_for(jimu).post(
        f"/quotes/{quote.pk}/edit/",
        edit_post(quote, **{"lines-0-product": bolt.pk, "lines-0-quantity": "10", "lines-0-discount_rate": "120"}),
    )

    page = text_of(response)
    assert response.status_code == 200
    assert re.search(r'value="120"[^>]*>\s*<p class="error"[^>]*>この値は 100 以下でなければなりません。', page)
    assert QuoteLine.objects.filter(quote=quote).count() == 2  # nothing written


def test_a_rep_cannot_open_the_pricing_page(rep, yamada, bolt, water):
    quote = requested(rep, yamada, bolt, water)

    assert client_for(rep).get(f"/quotes/{quote.pk}/edit/").status_code == 403


# --- the hand-offs ----------------------------------------------------------------------------


def test_submit_beyond_the_limit_waits_for_the_managers_and_tells_them(rep, jimu, boss, yamada, bolt, water, company):
    quote = requested(rep, yamada, bolt, water)
    services.quote_update(
        quote=quote,
        user=jimu,
        data={},
        lines=[LineInput(product=bolt, quantity=10, discount_rate=Decimal("20")), LineInput(product=water, quantity=5)],
    )
    other_manager = make_user(Role.MANAGER, username="boss2")

    client = client_for(jimu)
    response = client.post(f"/quotes/{quote.pk}/submit/")

    quote.refresh_from_db()
    assert response["Location"] == f"/quotes/{quote.pk}/"
    assert quote.status == Quote.Status.PENDING_APPROVAL
    notes = Notification.objects.order_by("recipient__username")
    assert [(n.recipient, n.link) for n in notes] == [(boss, f"/quotes/{quote.pk}/"), (other_manager, notes[1].link)]
    assert notes[0].text == f"見積 #{quote.pk}「ボルトと水の見積」（株式会社山田製作所）の承認をお願いします。"
    assert "承認申請しました。マネージャーの承認待ちです。" in text_of(client.get(response["Location"]))


def test_a_manager_sends_back_from_the_home_and_the_rep_and_admin_hear_why(
    rep, jimu, boss, yamada, bolt, water, company
):
    quote = pending(rep, jimu, yamada, bolt, water)
    Notification.objects.all().delete()

    response = client_for(boss).post(f"/quotes/{quote.pk}/reject/", {"comment": "値引きは15%まで", "next": "/"})

    assert response["Location"] == "/"
    quote.refresh_from_db()
    assert (quote.status, quote.approval_comment) == (Quote.Status.REJECTED, "値引きは15%まで")
    assert sorted(Notification.objects.values_list("recipient__username", "text")) == [
        ("jimu", f"見積 #{quote.pk}「ボルトと水の見積」が差し戻されました: 値引きは15%まで"),
        ("rep1", f"見積 #{quote.pk}「ボルトと水の見積」が差し戻されました: 値引きは15%まで"),
    ]


def test_sending_back_without_a_comment_keeps_the_manager_on_the_page_with_the_message(
    rep, jimu, boss, yamada, bolt, water, company
):
    quote = pending(rep, jimu, yamada, bolt, water)

    response = client_for(boss).post(f"/quotes/{quote.pk}/reject/", {"comment": "", "next": f"/quotes/{quote.pk}/"})

    assert response.status_code == 200
    assert re.search(
        r'name="comment".*?</textarea>\s*<p class="error" role="alert">この項目は必須です。', text_of(response), re.S
    )
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING_APPROVAL


def test_from_the_home_a_refusal_comes_back_as_a_message(rep, jimu, boss, yamada, bolt, water, company):
    quote = pending(rep, jimu, yamada, bolt, water)
    client = client_for(boss)

    response = client.post(f"/quotes/{quote.pk}/reject/", {"comment": " ", "next": "/"})

    assert response["Location"] == "/"
    assert "ボルトと水の見積: この項目は必須です。" in text_of(client.get("/"))


def test_approve_then_issue_opens_the_pdf_and_tells_the_rep(
    rep, jimu, boss, yamada, bolt, water, company, django_capture_on_commit_callbacks
):
    quote = pending(rep, jimu, yamada, bolt, water)
    Notification.objects.all().delete()

    approved = client_for(boss).post(f"/quotes/{quote.pk}/approve/", {"comment": "今回のみ"})
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is rendered once the issue commits
        issued = client_for(jimu).post(f"/quotes/{quote.pk}/issue/")

    quote.refresh_from_db()
    assert approved["Location"] == f"/quotes/{quote.pk}/"
    assert quote.status == Quote.Status.ISSUED and quote.display_number == "Q-2026-000001"
    assert quote.valid_until == dt.date(2026, 12, 20)
    assert re.fullmatch(rf"/(api/v1/)?documents/{quote.document_id}/pdf/?", issued["Location"])
    pdf = client_for(rep).get(issued["Location"])
    assert pdf.status_code == 200, pdf.content.decode()
    assert pdf["Content-Type"] == "application/pdf"
    assert sorted(Notification.objects.values_list("recipient__username", "text")) == [
        ("jimu", f"見積 #{quote.pk}「ボルトと水の見積」が承認されました。"),
        ("rep1", f"見積 #{quote.pk}「ボルトと水の見積」が承認されました。"),
        ("rep1", "見積 Q-2026-000001「ボルトと水の見積」を発行しました。"),
    ]
    page = text_of(client_for(rep).get(f"/quotes/{quote.pk}/"))
    assert "Q-2026-000001" in page and "2026/11/20" in page and "2026/12/20" in page and "PDFを開く" in page


def test_an_issued_quote_is_revised_accepted_and_converted(rep, jimu, yamada, bolt, water, company):
    quote = requested(rep, yamada, bolt, water)
    services.quote_submit(quote=quote, user=jimu)
    services.quote_issue(quote=quote, user=jimu)
    client = client_for(jimu)

    revised = client.post(f"/quotes/{quote.pk}/revise/")
    revision = Quote.objects.get(supersedes=quote)
    accepted = client.post(f"/quotes/{quote.pk}/accept/")
    converted = client.post(f"/quotes/{quote.pk}/convert/")

    assert revised["Location"] == f"/quotes/{revision.pk}/edit/"
    assert accepted["Location"] == f"/quotes/{quote.pk}/"
    order = Order.objects.get(quote=quote)
    assert converted["Location"] in (f"/orders/{order.pk}/", "/orders/")
    assert order.total == Decimal("26224")
    page = text_of(client.get(f"/quotes/{quote.pk}/"))
    assert "受注に変換" not in page  # done once


def test_an_issued_quote_is_not_edited(rep, jimu, yamada, bolt, water, company):
    quote = requested(rep, yamada, bolt, water)
    services.quote_submit(quote=quote, user=jimu)
    services.quote_issue(quote=quote, user=jimu)
    client = client_for(jimu)

    response = client.get(f"/quotes/{quote.pk}/edit/")

    assert response["Location"] == f"/quotes/{quote.pk}/"
    assert "発行済みの見積は変更できません" in text_of(client.get(response["Location"]))


def test_the_approval_row_for_the_managers_home(rep, jimu, yamada, bolt, water, company, rf):
    from django.template.loader import render_to_string

    quote = pending(rep, jimu, yamada, bolt, water)

    html = render_to_string("orders/quotes/_approval_row.html", {"quote": quote}, request=rf.get("/"))

    assert f'action="/quotes/{quote.pk}/approve/"' in html
    assert f'formaction="/quotes/{quote.pk}/reject/"' in html
    assert 'name="next" value="/"' in html
    assert "ボルトと水の見積" in html and "株式会社山田製作所" in html and "¥22,521" in html
    assert "1行目の値引率 20% が上限 10% を超えています。" in html
    assert "承認</button>" in html and "差戻し</button>" in html
