"""The order screens: the list, the phone-order entry and its live answer, the order page
and its actions, per role.

Today is Thursday 2026-12-03. A-100 (箱, ¥1,980, 10%): 30 on hand, an open purchase order of
40 due 12/11. F-404 (箱, ¥1,850, 8% reduced): 100 on hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from backoffice.exceptions import InvalidInput
from backoffice.status import status_history
from orders import services
from orders.models import Order, ShipToAddress
from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory, stock
from tests.orders.conftest import open_purchase_order
from tests.web.pages import client_for

pytestmark = pytest.mark.django_db

ANSWER_A100 = "A-100 ステンレスボルト M8: 30 箱 即日出荷、残り 20 箱は 12/11 出荷予定"
ANSWER_F404 = "F-404 個包装クッキー: 10 箱 全数即日出荷"


@pytest.fixture
def today():
    return dt.date(2026, 12, 3)


@pytest.fixture
def bolts(company, warehouse):
    product = ProductFactory(
        sku="A-100",
        name="ステンレスボルト M8",
        unit="箱",
        list_price=Decimal("1980"),
        supplier=SupplierFactory(lead_time_days=5),
    )
    stock(product, warehouse, 30)
    open_purchase_order(product, 40, dt.date(2026, 12, 11))
    return product


@pytest.fixture
def cookies(company, warehouse):
    product = ProductFactory(
        sku="F-404", name="個包装クッキー", unit="箱", list_price=Decimal("1850"), tax_category="reduced"
    )
    stock(product, warehouse, 100)
    return product


@pytest.fixture
def yamada(rep_user):
    return CustomerFactory(code="C001", name="株式会社山田製作所", name_kana="ヤマダセイサクショ", sales_rep=rep_user)


@pytest.fixture
def aoba(other_rep):
    return CustomerFactory(code="C002", name="株式会社青葉商店", name_kana="アオバショウテン", sales_rep=other_rep)


def entry(customer, *lines, blank=1, action=None, **header) -> dict:
    """The entry form's POST: the header, the lines (product, quantity) and blank rows."""
    data = {
        "customer": customer.pk if customer else "",
        "ship_to": "",
        "customer_po_number": "",
        "requested_date": "",
        "note": "",
        "lines-TOTAL_FORMS": len(lines) + blank,
        "lines-INITIAL_FORMS": 0,
        "lines-MIN_NUM_FORMS": 0,
        "lines-MAX_NUM_FORMS": 200,
        **header,
    }
    for index, (product, quantity) in enumerate(lines):
        data[f"lines-{index}-product"] = product.pk if product else ""
        data[f"lines-{index}-quantity"] = quantity
    for index in range(len(lines), len(lines) + blank):
        data[f"lines-{index}-product"] = ""
        data[f"lines-{index}-quantity"] = ""
    if action:
        data["action"] = action
    return data


def confirmed_order(user, customer, *lines):
    order = services.order_create(user=user, data={"customer": customer}, lines=list(lines))
    return services.order_confirm(order=order, user=user).order


# --- who may do what -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["rep_user", "manager_user"])
def test_only_sales_admins_open_the_entry_others_get_a_japanese_403(request, role):
    client = client_for(request.getfixturevalue(role))

    for response in (client.get("/orders/new/"), client.post("/orders/new/preview/", {})):
        assert response.status_code == 403
        assert "この画面を開く権限がありません。" in response.content.decode()


def test_a_rep_lists_only_their_customers_orders_and_gets_a_404_for_another_reps(
    admin_user, rep_user, yamada, aoba, cookies
):
    mine = confirmed_order(admin_user, yamada, LineInput(product=cookies, quantity=1))
    theirs = confirmed_order(admin_user, aoba, LineInput(product=cookies, quantity=1))
    client = client_for(rep_user)

    page = client.get("/orders/").content.decode()
    assert mine.number in page and theirs.number not in page
    assert "受注入力" not in page  # a rep is not offered the entry
    assert client.get(f"/orders/{mine.pk}/").status_code == 200
    assert client.get(f"/orders/{theirs.pk}/").status_code == 404


def test_the_order_page_offers_each_role_only_its_actions(admin_user, rep_user, manager_user, yamada, cookies):
    draft = services.order_create(
        user=admin_user, data={"customer": yamada}, lines=[LineInput(product=cookies, quantity=1)]
    )

    admin_page = client_for(admin_user).get(f"/orders/{draft.pk}/").content.decode()
    rep_page = client_for(rep_user).get(f"/orders/{draft.pk}/").content.decode()
    manager_page = client_for(manager_user).get(f"/orders/{draft.pk}/").content.decode()

    assert f'action="/orders/{draft.pk}/confirm/"' in admin_page
    assert f'action="/orders/{draft.pk}/cancel/"' in admin_page
    for action in ("confirm", "cancel", "release", "issue-confirmation"):
        assert f"/orders/{draft.pk}/{action}/" not in rep_page
    assert f"/orders/{draft.pk}/confirm/" not in manager_page  # managers release holds, not confirm drafts
    assert f"/orders/{draft.pk}/release/" not in manager_page  # nothing held


# --- the list -------------------------------------------------------------------------


def test_the_list_shows_totals_statuses_and_expected_dates_with_bounded_queries(
    admin_user, yamada, bolts, cookies, django_assert_max_num_queries
):
    waiting = confirmed_order(admin_user, yamada, LineInput(product=bolts, quantity=50))
    ready = confirmed_order(admin_user, yamada, LineInput(product=cookies, quantity=10))
    client = client_for(admin_user)

    with django_assert_max_num_queries(15):
        page = client.get("/orders/").content.decode()

    assert "¥108,900" in page  # 50 × ¥1,980 = ¥99,000 + 10% tax
    assert "¥19,980" in page  # 10 × ¥1,850 = ¥18,500 + 8% tax ¥1,480
    assert "残りは 2026/12/11 出荷予定" in page and "全数引当済" in page
    assert page.count('data-status="confirmed"') == 2
    assert waiting.number in page and ready.number in page

    for _ in range(10):
        lines = [LineInput(product=cookies, quantity=1), LineInput(product=bolts, quantity=1)]
        confirmed_order(admin_user, yamada, *lines)
    with django_assert_max_num_queries(15):  # as many for 12 orders as for 2
        assert client.get("/orders/").status_code == 200


def test_the_list_filters_by_status_customer_kana_and_date(admin_user, yamada, aoba, cookies):
    confirmed = confirmed_order(admin_user, yamada, LineInput(product=cookies, quantity=1))
    draft = services.order_create(
        user=admin_user, data={"customer": aoba}, lines=[LineInput(product=cookies, quantity=1)]
    )
    client = client_for(admin_user)

    by_kana = client.get("/orders/", {"customer": "やまだ"}).content.decode()
    assert confirmed.number in by_kana and f"/orders/{draft.pk}/" not in by_kana
    drafts = client.get("/orders/", {"status": "draft"}).content.decode()
    assert f"/orders/{draft.pk}/" in drafts and confirmed.number not in drafts
    later = client.get("/orders/", {"date_from": "2026-12-04"}).content.decode()
    assert "該当する受注はありません。" in later
    backwards = client.get("/orders/", {"date_from": "2026-12-04", "date_to": "2026-12-01"}).content.decode()
    assert "終了日が開始日より前です。" in backwards


# --- the entry's live answer ----------------------------------------------------------


def test_the_preview_prices_the_lines_totals_per_rate_and_answers_stock_per_line(
    admin_user, yamada, bolts, cookies, django_assert_max_num_queries
):
    client = client_for(admin_user)
    data = entry(yamada, (bolts, 50), (cookies, 10), blank=0)

    with django_assert_max_num_queries(14):  # 3 a line (the product, its stock twice) + 7
        response = client.post("/orders/new/preview/", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert ANSWER_A100 in page and ANSWER_F404 in page
    assert '<span id="line-0-price" hx-swap-oob="true">¥1,980</span>' in page
    assert '<span id="line-0-amount" hx-swap-oob="true">¥99,000</span>' in page
    assert '<span id="line-1-amount" hx-swap-oob="true">¥18,500</span>' in page
    assert "8% ※" in page  # the reduced rate marked
    assert '<td class="num" id="entry-subtotal">¥117,500</td>' in page
    assert '<td class="num" id="entry-tax">¥11,380</td>' in page  # ¥9,900 + ¥1,480, once per rate
    assert '<td class="num" id="entry-total">¥128,880</td>' in page
    # the last row was filled: a new blank one comes with it
    assert 'name="lines-2-quantity"' in page and 'name="lines-TOTAL_FORMS" value="3"' in page
    assert "与信限度額" not in page  # no limit set
    assert not Order.objects.exists()


def test_the_preview_answers_two_lines_of_one_product_from_the_same_stock(admin_user, yamada, bolts):
    page = client_for(admin_user).post("/orders/new/preview/", entry(yamada, (bolts, 20), (bolts, 30))).content
    page = page.decode()

    assert "A-100 ステンレスボルト M8: 20 箱 全数即日出荷" in page
    assert "A-100 ステンレスボルト M8: 10 箱 即日出荷、残り 20 箱は 12/11 出荷予定" in page


def test_the_preview_warns_of_the_credit_limit_before_confirming(admin_user, yamada, bolts):
    yamada.credit_limit = Decimal("100000")
    yamada.save(update_fields=["credit_limit"])

    page = client_for(admin_user).post("/orders/new/preview/", entry(yamada, (bolts, 50))).content.decode()

    assert "与信限度額 ¥100,000 を超えています" in page
    assert "今回受注 ¥108,900" in page
    assert "確定すると与信保留となり" in page


def test_the_preview_shows_a_bad_quantity_on_its_line(admin_user, yamada, bolts, cookies):
    page = client_for(admin_user).post("/orders/new/preview/", entry(yamada, (bolts, 50), (cookies, 0))).content
    page = page.decode()

    error = '<span class="error">1 以上の数量を入力してください。</span>'
    assert f'<span id="line-1-stock" hx-swap-oob="true">{error}' in page
    assert ANSWER_A100 in page


def test_the_ship_to_choices_are_the_chosen_customers_only(admin_user, yamada, aoba):
    head = ShipToAddress.objects.create(customer=yamada, name="本社", address="東京都千代田区1-1", is_default=True)
    ShipToAddress.objects.create(customer=yamada, name="第二工場", address="埼玉県川口市2-2")
    ShipToAddress.objects.create(customer=aoba, name="青葉倉庫", address="横浜市3-3")

    page = client_for(admin_user).get("/orders/new/ship-to/", {"customer": yamada.pk}).content.decode()

    assert "本社" in page and "第二工場" in page and "青葉倉庫" not in page
    assert f'<option value="{head.pk}" selected>' in page


# --- saving ---------------------------------------------------------------------------


def test_save_as_draft_writes_the_order_and_opens_its_page(admin_user, yamada, cookies):
    client = client_for(admin_user)

    response = client.post(
        "/orders/new/", entry(yamada, (cookies, 10), action="draft", customer_po_number="PO-77"), follow=True
    )

    order = Order.objects.get()
    assert response.redirect_chain == [(f"/orders/{order.pk}/", 302)]
    assert (order.status, order.customer_po_number, order.total) == ("draft", "PO-77", Decimal("19980"))
    page = response.content.decode()
    assert "下書きとして保存しました。" in page and 'data-status="draft"' in page


def test_confirm_in_one_step_shows_the_answer_to_read_to_the_customer(
    admin_user, yamada, bolts, cookies, django_assert_max_num_queries
):
    client = client_for(admin_user)

    response = client.post("/orders/new/", entry(yamada, (bolts, 50), (cookies, 10), action="confirm"))
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == f"/orders/{order.pk}/"
    with django_assert_max_num_queries(20):
        page = client.get(response.url).content.decode()

    assert order.status == "confirmed"
    assert f"受注 {order.number} を確定しました。" in page
    assert "お客様への回答" in page and ANSWER_A100 in page and ANSWER_F404 in page
    assert "¥128,880" in page
    assert "2026/12/11" in page  # the backordered line's expected date
    # read once: a reload no longer shows it
    assert "お客様への回答" not in client.get(response.url).content.decode()


def test_over_the_credit_limit_the_confirmed_order_waits_on_hold(admin_user, yamada, bolts):
    yamada.credit_limit = Decimal("100000")
    yamada.save(update_fields=["credit_limit"])

    response = client_for(admin_user).post("/orders/new/", entry(yamada, (bolts, 50), action="confirm"), follow=True)

    order = Order.objects.get()
    assert order.status == "on_hold"
    page = response.content.decode()
    assert "マネージャーの承認待ち" in page and "与信限度額 ¥100,000 を超えています" in page


def test_a_zero_quantity_is_refused_next_to_its_line_keeping_the_input(admin_user, yamada, bolts, cookies):
    response = client_for(admin_user).post(
        "/orders/new/", entry(yamada, (bolts, 50), (cookies, 0), action="confirm", customer_po_number="PO-9")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert '<p class="error" id="id_lines-1-quantity_error" role="alert">1 以上の数量を入力してください。</p>' in page
    assert 'name="lines-1-quantity" value="0"' in page and 'value="PO-9"' in page
    assert "orderline_quantity_positive" not in page and "制約" not in page
    assert not Order.objects.exists()


def test_a_line_without_a_product_and_an_empty_order_are_refused(admin_user, yamada):
    client = client_for(admin_user)

    no_product = client.post("/orders/new/", entry(yamada, (None, 5), action="draft")).content.decode()
    nothing = client.post("/orders/new/", entry(yamada, blank=2, action="draft")).content.decode()

    assert "商品を選んでください。" in no_product
    assert "明細を1行以上入力してください。" in nothing
    assert not Order.objects.exists()


def test_a_refused_confirmation_writes_nothing_and_shows_the_reason_on_the_line(
    admin_user, yamada, bolts, cookies, monkeypatch
):
    def refuse(**kwargs):
        raise InvalidInput("2 行目: 数量が多すぎます。", field="lines[1].quantity")

    monkeypatch.setattr("orders.views.orders.order_confirm", refuse)

    response = client_for(admin_user).post("/orders/new/", entry(yamada, (bolts, 5), (cookies, 9), action="confirm"))

    assert response.status_code == 200
    assert 'id="id_lines-1-quantity_error" role="alert">2 行目: 数量が多すぎます。</p>' in response.content.decode()
    assert not Order.objects.exists()  # the draft created before the refusal is rolled back


# --- the order page and its actions ---------------------------------------------------


def test_the_order_page_shows_lines_stock_documents_and_history_with_bounded_queries(
    admin_user, yamada, bolts, cookies, django_assert_max_num_queries
):
    order = confirmed_order(
        admin_user, yamada, LineInput(product=bolts, quantity=50), LineInput(product=cookies, quantity=10)
    )
    services.order_confirmation_issue(order=order, user=admin_user)
    client = client_for(admin_user)

    with django_assert_max_num_queries(17):
        page = client.get(f"/orders/{order.pk}/").content.decode()

    assert "注文請書" in page and order.number in page
    assert "下書き → <strong>受注確定</strong>" in page
    assert "2026/12/11" in page and "¥128,880" in page


def test_a_manager_releases_a_credit_hold_with_a_comment_back_to_home(admin_user, manager_user, yamada, cookies):
    yamada.credit_limit = Decimal("1000")
    yamada.save(update_fields=["credit_limit"])
    held = services.order_confirm(
        order=services.order_create(
            user=admin_user, data={"customer": yamada}, lines=[LineInput(product=cookies, quantity=10)]
        ),
        user=admin_user,
    ).order
    assert held.status == "on_hold"

    assert client_for(admin_user).post(f"/orders/{held.pk}/release/", {"comment": "x"}).status_code == 403
    response = client_for(manager_user).post(
        f"/orders/{held.pk}/release/", {"comment": "前払いで合意済み", "next": "/"}
    )

    assert response.status_code == 302 and response.url == "/"
    held.refresh_from_db()
    assert held.status == "confirmed"
    assert status_history(held).last().comment == "前払いで合意済み"


def test_the_hold_row_for_the_managers_home(admin_user, yamada, cookies):
    yamada.credit_limit = Decimal("1000")
    yamada.save(update_fields=["credit_limit"])
    held = services.order_confirm(
        order=services.order_create(
            user=admin_user, data={"customer": yamada}, lines=[LineInput(product=cookies, quantity=10)]
        ),
        user=admin_user,
    ).order

    html = render_to_string("orders/orders/_hold_row.html", {"order": held})

    assert held.number in html and "株式会社山田製作所" in html and "¥19,980" in html
    assert "与信限度額 ¥1,000 を超えています" in html
    assert f'action="/orders/{held.pk}/release/"' in html and 'name="next" value="/"' in html
    assert 'name="comment"' in html


def test_cancelling_refused_by_the_service_is_a_message_not_an_error_page(admin_user, yamada, cookies):
    order = confirmed_order(admin_user, yamada, LineInput(product=cookies, quantity=1))
    services.order_cancel(order=order, user=admin_user)

    response = client_for(admin_user).post(f"/orders/{order.pk}/cancel/", {"comment": "二重"}, follow=True)

    assert response.status_code == 200
    assert 'class="msg msg-error"' in response.content.decode()


def test_a_draft_opens_in_the_entry_and_is_saved_and_confirmed_from_there(admin_user, rep_user, yamada, bolts, cookies):
    admin = client_for(admin_user)
    admin.post("/orders/new/", entry(yamada, (bolts, 5), action="draft"))
    order = Order.objects.get()

    page = admin.get(f"/orders/{order.pk}/edit/").content.decode()
    assert f'<option value="{yamada.pk}" selected>' in page and f'<option value="{bolts.pk}" selected>' in page
    assert 'value="5"' in page
    assert f'href="/orders/{order.pk}/edit/"' in admin.get(f"/orders/{order.pk}/").content.decode()

    response = admin.post(f"/orders/{order.pk}/edit/", entry(yamada, (bolts, 7), (cookies, 2), action="draft"))
    assert response.status_code == 302
    assert [(line.sku, line.quantity) for line in order.lines.order_by("position")] == [("A-100", 7), ("F-404", 2)]
    assert Order.objects.count() == 1

    admin.post(f"/orders/{order.pk}/edit/", entry(yamada, (bolts, 7), (cookies, 2), action="confirm"))
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert admin.get(f"/orders/{order.pk}/edit/")["Location"] == f"/orders/{order.pk}/"
    assert client_for(rep_user).get(f"/orders/{order.pk}/edit/").status_code == 403


def test_the_entry_opens_with_the_customer_a_link_names(admin_user, yamada):
    page = client_for(admin_user).get(f"/orders/new/?customer={yamada.pk}").content.decode()

    assert f'<option value="{yamada.pk}" selected>C001 株式会社山田製作所</option>' in page
