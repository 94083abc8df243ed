"""The customer screens on the server: the search finds kana typed any way, a rep sees only
their own customers (a 404 for another's), the page shows terms, contacts, ship-to addresses,
balance and one timeline of what is open, and offers each role only its actions."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from orders import services
from orders.models import ContactPerson, ShipToAddress
from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, ship_order, stock
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return dt.date(2026, 12, 3)


@pytest.fixture
def yamada(rep_user):
    return CustomerFactory(
        code="C0101",
        name="山田製作所",
        name_kana="ヤマダセイサクショ",
        sales_rep=rep_user,
        closing_day=20,
        payment_month_offset=1,
        payment_day=10,
        invoice_mode="per_shipment",
        credit_limit=Decimal("1000000"),
        phone="03-1111-2222",
    )


@pytest.mark.parametrize("typed", ["やまだ", "ﾔﾏﾀﾞ", "ヤマダ", "山田", "C01"])
def test_the_search_finds_yamada_however_the_kana_is_typed(admin_user, yamada, typed):
    CustomerFactory(code="C0200", name="田中商店", name_kana="タナカショウテン")

    text = text_of(client_for(admin_user).get("/customers/", {"q": typed}))

    assert "C0101 山田製作所 ヤマダセイサクショ" in text
    assert "田中商店" not in text


def test_a_rep_lists_only_their_own_customers(rep_user, yamada, other_rep):
    CustomerFactory(code="C0300", name="他社担当の会社", sales_rep=other_rep)

    text = text_of(client_for(rep_user).get("/customers/"))

    assert "山田製作所" in text
    assert "他社担当の会社" not in text


def test_a_rep_gets_404_for_another_reps_customer(other_rep, yamada):
    assert client_for(other_rep).get(f"/customers/{yamada.pk}/").status_code == 404


def test_a_search_that_finds_nothing_says_so(admin_user, yamada):
    assert "該当する得意先はありません。" in text_of(client_for(admin_user).get("/customers/", {"q": "存在しない"}))


def test_the_list_pages_and_its_queries_stay_bounded(admin_user, rep_user, django_assert_max_num_queries):
    for n in range(60):
        CustomerFactory(code=f"K{n:03d}", name=f"顧客{n:03d}", sales_rep=rep_user)
    client = client_for(admin_user)

    with django_assert_max_num_queries(8):
        first = client.get("/customers/")
    second = client.get("/customers/", {"page": 2})

    assert "K049" in text_of(first) and "K050" not in text_of(first)
    assert "K050" in text_of(second) and "K059" in text_of(second) and "2 / 2 ページ" in text_of(second)


@pytest.fixture
def trading(admin_user, rep_user, yamada, warehouse, company, today):
    """With 山田製作所: a shipped order invoiced per shipment (¥11,000), an open confirmed order
    (¥22,000), a quote request for 100 (¥110,000), an inquiry handed to the rep."""
    bolt = ProductFactory(sku="A-100", name="ボルト M8", unit="箱", list_price=Decimal("1000"))
    stock(bolt, warehouse, 100)
    ContactPerson.objects.create(customer=yamada, name="山田 太郎", department="購買部", phone="03-1111-3333")
    ShipToAddress.objects.create(customer=yamada, name="第二工場", address="埼玉県川口市1-2-3", is_default=True)
    ship_order(admin_user, yamada, [LineInput(product=bolt, quantity=10)], on=today)
    order = services.order_create(
        user=admin_user,
        data={"customer": yamada, "order_date": dt.date(2026, 12, 1)},
        lines=[LineInput(product=bolt, quantity=20)],
    )
    services.order_confirm(order=order, user=admin_user)
    quote = services.quote_create(
        user=rep_user,
        data={"customer": yamada, "subject": "ボルトの見積"},
        lines=[LineInput(product=bolt, quantity=100)],
    )
    inquiry = services.inquiry_create(
        user=admin_user, data={"customer": yamada, "subject": "納期の確認", "assigned_to": rep_user}
    )
    order.refresh_from_db()
    return {"order": order, "quote": quote, "inquiry": inquiry}


def test_the_customer_page_shows_terms_contacts_ship_to_and_balance(rep_user, yamada, trading):
    text = text_of(client_for(rep_user).get(f"/customers/{yamada.pk}/"))

    assert "締日・支払日 20日締め 翌月10日払い" in text
    assert "宛名 山田製作所 御中" in text
    assert "請求方法 都度請求（出荷ごと）" in text
    assert "掛率 100%" in text
    assert "山田 太郎 購買部" in text and "03-1111-3333" in text
    assert "第二工場 既定" in text and "埼玉県川口市1-2-3" in text
    assert "売掛残高 ¥11,000" in text
    assert "受注残 ¥22,000" in text
    assert "与信使用額 ¥33,000" in text
    assert "与信限度額 ¥1,000,000" in text
    assert "与信残 ¥967,000" in text


def test_the_timeline_lists_what_is_open_newest_first(admin_user, yamada, trading):
    order, quote = trading["order"], trading["quote"]

    text = text_of(client_for(admin_user).get(f"/customers/{yamada.pk}/"))
    timeline = text.split("進行中の取引", 1)[1].split("先方担当者", 1)[0]

    assert f"2026/12/03 見積 {quote} ボルトの見積" in timeline
    assert "見積 見積依頼" in timeline and "¥110,000" in timeline
    assert "2026/12/03 問い合わせ 納期の確認 担当者へ引継済み" in timeline
    assert re.search(r"2026/12/03 出荷 DN-2026-\d+ 出荷済み ¥11,000", timeline)
    assert re.search(r"2026/12/03 請求書 INV-2026-\d+ 発行済み ¥11,000", timeline)
    assert f"2026/12/01 受注 {order.number} 受注確定 ¥22,000" in timeline
    assert timeline.index("2026/12/01") > timeline.rindex("2026/12/03")  # the older order comes last


def test_the_timeline_links_to_the_inquiry(admin_user, yamada, trading):
    html = client_for(admin_user).get(f"/customers/{yamada.pk}/").content.decode()

    assert f'href="/inquiries/{trading["inquiry"].pk}/"' in html


def test_the_customer_page_queries_stay_bounded(admin_user, yamada, trading, django_assert_max_num_queries):
    client = client_for(admin_user)

    with django_assert_max_num_queries(14):
        response = client.get(f"/customers/{yamada.pk}/")

    assert response.status_code == 200


def test_each_role_is_offered_only_its_actions(admin_user, rep_user, manager_user, yamada):
    def actions(user) -> str:
        return text_of(client_for(user).get(f"/customers/{yamada.pk}/")).split("取引条件", 1)[0]

    assert "問い合わせを登録" in actions(admin_user)
    assert "受注を入力" not in actions(rep_user)
    assert "受注を入力" not in actions(manager_user)
    assert "見積を作成" not in actions(manager_user)
    assert "問い合わせを登録" in actions(manager_user)
    html = client_for(rep_user).get(f"/customers/{yamada.pk}/").content.decode()
    assert f'href="/inquiries/new/?customer={yamada.pk}"' in html


def test_a_customer_without_credit_limit_or_contacts_says_so(admin_user):
    plain = CustomerFactory(code="C0900", name="鈴木商店", credit_limit=None)

    text = text_of(client_for(admin_user).get(f"/customers/{plain.pk}/"))

    assert "与信限度額 上限なし" in text
    assert "締日・支払日 末締め 翌月末払い" in text
    assert "先方担当者は登録されていません。" in text
    assert "この得意先との進行中の取引はありません。" in text


def test_signing_in_is_required():
    response = Client().get("/customers/")

    assert response.status_code == 302 and response["Location"].startswith("/login/")
